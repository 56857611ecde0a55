using EditorAssist.Core.Settings;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EditorAssist.Server.Hosting;

/// <summary>
/// The client's settings through Microsoft.Extensions.Options: features take an
/// <c>IOptionsMonitor&lt;SidecarSettings&gt;</c> and read <c>CurrentValue</c> (typed, validated, with
/// defaults) instead of looking keys up in the store. The values live in the session's store, which
/// opens at <c>initialize</c> and changes with every <c>settings/update</c>, so this monitor reads
/// them from there (the defaults before the store is open) rather than from an
/// IConfiguration source built at start-up; listeners hear of every update.
/// </summary>
public sealed class SettingsMonitor : IOptionsMonitor<SidecarSettings>
{
    private readonly SessionScope _session;
    private readonly Lock _gate = new();
    private readonly List<Action<SidecarSettings, string?>> _listeners = [];
    private readonly ILogger? _logger;

    public SettingsMonitor(SessionScope session, ILoggerFactory? loggers = null)
    {
        _session = session;
        _logger = loggers?.CreateLogger("EditorAssist.Settings");
        session.Began += store =>
        {
            store.Settings.Changed += Notify;
            Notify(store.Settings.Typed); // what the store held from earlier sessions is current now
        };
    }

    public SidecarSettings CurrentValue => _session.HasBegun ? _session.Store.Settings.Typed : SidecarSettings.Defaults;

    public SidecarSettings Get(string? name) => CurrentValue;

    public IDisposable OnChange(Action<SidecarSettings, string?> listener)
    {
        lock (_gate) _listeners.Add(listener);
        return new Subscription(this, listener);
    }

    private void Notify(SidecarSettings settings)
    {
        if (settings.Invalid.Count > 0)
            _logger?.LogWarning("Settings with a value of the wrong type or range, using their defaults: {Keys}.", string.Join(", ", settings.Invalid));
        Action<SidecarSettings, string?>[] listeners;
        lock (_gate) listeners = [.. _listeners];
        foreach (var l in listeners) l(settings, Options.DefaultName);
    }

    private sealed class Subscription(SettingsMonitor owner, Action<SidecarSettings, string?> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._gate) owner._listeners.Remove(listener);
        }
    }
}
