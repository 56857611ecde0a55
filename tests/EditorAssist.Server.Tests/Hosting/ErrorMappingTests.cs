using System.Text.Json;
using EditorAssist.Core.Errors;
using EditorAssist.Server.Hosting;

namespace EditorAssist.Server.Tests;

public class ErrorMappingTests
{
    [Fact]
    public void Domain_errors_keep_their_numeric_code_and_details()
    {
        var ex = new EditorAssistException(ErrorCode.InsufficientDisk, "Not enough disk.") { Details = new Dictionary<string, object?> { ["neededBytes"] = 5L, ["path"] = "/m" } };
        var mapped = ErrorMapping.Map(ex)!;
        Assert.Equal(1009, mapped.Code);
        Assert.Equal("Not enough disk.", mapped.Message);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer)) mapped.WriteData!(w);
        var data = JsonDocument.Parse(buffer.ToArray()).RootElement;
        Assert.Equal("InsufficientDisk", data.GetProperty("reason").GetString());
        Assert.Equal(5, data.GetProperty("neededBytes").GetInt64());
    }

    [Fact]
    public void Other_exceptions_are_left_to_become_internal_errors()
    {
        Assert.Null(ErrorMapping.Map(new InvalidOperationException("x")));
    }

    [Fact]
    public void Every_protocol_code_is_pinned()
    {
        // PROTOCOL.md's table: clients match on these numbers, so they must never move.
        var expected = new Dictionary<string, int>
        {
            ["ModelNotFound"] = 1001, ["ModelNotDownloaded"] = 1002, ["ProviderUnavailable"] = 1003, ["ApiKeyMissing"] = 1004,
            ["ApiKeyRejected"] = 1005, ["RateLimited"] = 1006, ["ContextLengthExceeded"] = 1007, ["InsufficientMemory"] = 1008,
            ["InsufficientDisk"] = 1009, ["DownloadFailed"] = 1010, ["ChecksumMismatch"] = 1011, ["InvalidModelFile"] = 1012,
            ["PolicyViolation"] = 1013, ["QuotaExceeded"] = 1014, ["ModelBusy"] = 1015, ["StorageUnavailable"] = 1016, ["FimNotSupported"] = 1017,
            ["McpServerRefused"] = 1018,
        };
        Assert.Equal(expected, Enum.GetValues<ErrorCode>().ToDictionary(c => c.ToString(), c => (int)c));
    }
}
