using EditorAssist.Providers.Host;
using EditorAssist.Rpc;
using EditorAssist.Server.Hosting;
using EditorAssist.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace EditorAssist.Server.Handlers;

/// <summary>
/// The editor's models (issue 15, part 1): <c>host/didChangeModels</c> replaces the <c>host</c> provider's
/// list, <c>host/delta</c> feeds a running <c>host/chat</c>. Connecting the session's connection as the
/// provider's bridge is what makes the provider able to answer at all.
/// </summary>
internal sealed class HostModule(HostChatProvider provider, ILogger<HostModule> logger) : IRpcModule
{
    public IEnumerable<string> Methods => [HostMethods.HostDidChangeModels, HostMethods.HostDelta];

    public void Register(JsonRpcConnection connection, SidecarSession session)
    {
        var json = HostProtocolJson.Default;
        var bridge = new ClientHostBridge(connection, logger);
        provider.Attach(bridge);

        connection.AddNotificationHandler(HostMethods.HostDelta, () => json.HostDeltaDto, (p, _) =>
        {
            bridge.OnDelta(p);
            return ValueTask.CompletedTask;
        });

        connection.AddNotificationHandler(HostMethods.HostDidChangeModels, () => json.HostModelsParams, (p, _) =>
        {
            var models = (p.Models ?? []).Where(m => m is not null).Select(m => new HostModel(
                m.Vendor ?? "", m.Id ?? "", string.IsNullOrWhiteSpace(m.Name) ? m.Id ?? "" : m.Name, m.Family ?? "", m.Version, m.MaxInputTokens, m.ToolCalling));
            if (provider.SetModels(models))
            {
                logger.LogInformation("VS Code offers {Count} chat models: {Models}.", provider.Models.Count, string.Join(", ", provider.Models.Select(m => m.ModelId)));
                connection.Notify(Protocol.Methods.ProvidersDidChange, new ProviderChangedDto(HostChatProvider.ProviderId), ProvidersProtocolJson.Default.ProviderChangedDto);
            }
            return ValueTask.CompletedTask;
        });
    }
}
