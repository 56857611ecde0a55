using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;

namespace EditorAssist.Core.Tests.Providers;

public class RedactorTests
{
    [Theory]
    [InlineData("Incorrect API key provided: sk-proj-abcDEF1234567890xyz.", "sk-proj-abcDEF1234567890xyz")]
    [InlineData("key sk-ant-api03-AAAABBBBCCCCDDDD-xx rejected", "sk-ant-api03-AAAABBBBCCCCDDDD-xx")]
    [InlineData("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig", "eyJhbGciOiJIUzI1NiJ9.payload.sig")]
    [InlineData("x-api-key: abcdef123456", "abcdef123456")]
    [InlineData("https://generativelanguage.googleapis.com/v1beta/models?key=AIzaSyA1234567890abcdefghijk", "AIzaSyA1234567890abcdefghijk")]
    [InlineData("{\"api_key\": \"my-secret-value-1\"}", "my-secret-value-1")]
    [InlineData("groq gsk_abcdefgh12345678 failed", "gsk_abcdefgh12345678")]
    public void Masks_things_that_look_like_keys(string text, string secret)
    {
        var redacted = Redactor.Redact(text);
        Assert.DoesNotContain(secret, redacted);
        Assert.Contains(Redactor.Mask, redacted);
    }

    [Fact]
    public void Masks_a_known_key_of_any_shape_and_leaves_ordinary_text_alone()
    {
        var store = new ApiKeyStore();
        store.Set("custom", "plainish-token-9f8e7d");
        Assert.Equal($"server said {Redactor.Mask} is wrong", Redactor.Redact("server said plainish-token-9f8e7d is wrong"));
        const string ordinary = "Nothing is listening at http://127.0.0.1:11434/. Is Ollama running? (HTTP 404: model 'llama3' not found)";
        Assert.Equal(ordinary, Redactor.Redact(ordinary));
        Assert.Equal("monkey: bananas1234", Redactor.Redact("monkey: bananas1234"));
    }
}
