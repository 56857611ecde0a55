using EditorAssist.Core.Providers;
using EditorAssist.Providers;
using EditorAssist.Storage;

namespace EditorAssist.Core.Tests.Providers;

public class PrivacyClassifierTests
{
    [Theory]
    [InlineData("http://127.0.0.1:11434", PrivacyClass.Loopback)]
    [InlineData("http://127.1:8080/v1", PrivacyClass.Loopback)]
    [InlineData("http://127.255.255.254/", PrivacyClass.Loopback)]
    [InlineData("http://[::1]:1234/v1", PrivacyClass.Loopback)]
    [InlineData("http://[::ffff:127.0.0.1]:8000", PrivacyClass.Loopback)]
    [InlineData("http://localhost:1234/v1", PrivacyClass.Loopback)]
    [InlineData("http://LOCALHOST./v1", PrivacyClass.Loopback)]
    [InlineData("http://localhost.:8080", PrivacyClass.Loopback)]
    [InlineData("http://ollama.localhost:11434", PrivacyClass.Loopback)]
    [InlineData("https://api.openai.com/v1", PrivacyClass.Cloud)]
    [InlineData("http://192.168.1.20:11434", PrivacyClass.Cloud)]
    [InlineData("http://10.0.0.5:8000/v1", PrivacyClass.Cloud)]
    [InlineData("http://0.0.0.0:8080", PrivacyClass.Cloud)]
    [InlineData("http://localhost.example.com/v1", PrivacyClass.Cloud)]
    [InlineData("http://127.0.0.1.nip.io/v1", PrivacyClass.Cloud)]
    [InlineData("http://[::2]/v1", PrivacyClass.Cloud)]
    [InlineData("ftp://127.0.0.1/", PrivacyClass.Cloud)]
    [InlineData("not a url", PrivacyClass.Cloud)]
    [InlineData("", PrivacyClass.Cloud)]
    public void Classifies_remote_urls(string url, PrivacyClass expected) =>
        Assert.Equal(expected, PrivacyClassifier.Classify(ProviderKind.Remote, url));

    [Fact]
    public void The_local_runtime_is_on_device_whatever_the_url() =>
        Assert.Equal(PrivacyClass.OnDevice, PrivacyClassifier.Classify(ProviderKind.Local, "https://api.openai.com"));
}
