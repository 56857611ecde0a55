using System.Runtime.InteropServices;

namespace EditorAssist.Llama.Native;

/// <summary>
/// Owns a <c>llama_model*</c>. Freed exactly once by the runtime's SafeHandle machinery when
/// the last user lets go: contexts created from it hold a reference (DangerousAddRef), so
/// disposing the model while a context is alive only marks it; the free happens after the
/// context is released. That makes "dispose model, then context" as safe as the reverse.
/// </summary>
internal sealed class SafeLlamaModelHandle : SafeHandle
{
    public SafeLlamaModelHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Wraps a pointer just returned by llama_model_load_from_file (may be NULL: check IsInvalid).</summary>
    internal static SafeLlamaModelHandle FromPointer(IntPtr p)
    {
        var h = new SafeLlamaModelHandle();
        h.SetHandle(p);
        return h;
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.llama_model_free(handle);
        return true;
    }
}

/// <summary>
/// Owns a <c>llama_context*</c> and keeps its model alive: it adds a reference on the model
/// handle when created and drops it after <c>llama_free</c>, because a context reads the
/// model's tensors on every decode.
/// </summary>
internal sealed class SafeLlamaContextHandle : SafeHandle
{
    private SafeLlamaModelHandle? _model;

    public SafeLlamaContextHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal SafeLlamaModelHandle? Model => _model;

    /// <summary>Creates a context on <paramref name="model"/>; returns an invalid handle when libllama returns NULL.</summary>
    internal static SafeLlamaContextHandle Create(SafeLlamaModelHandle model, LlamaContextParams parameters)
    {
        var ctx = new SafeLlamaContextHandle();
        bool added = false;
        model.DangerousAddRef(ref added);
        try
        {
            IntPtr p = NativeMethods.llama_init_from_model(model, parameters);
            if (p == IntPtr.Zero)
            {
                return ctx; // invalid; the finally below drops the model reference
            }
            ctx.SetHandle(p);
            ctx._model = model;
            added = false; // ownership of the reference moves to the context
            return ctx;
        }
        finally
        {
            if (added)
            {
                model.DangerousRelease();
            }
        }
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.llama_free(handle);
        _model?.DangerousRelease();
        _model = null;
        return true;
    }
}

/// <summary>Owns a <c>llama_sampler*</c> (normally a chain, which frees the samplers added to it).</summary>
internal sealed class SafeLlamaSamplerHandle : SafeHandle
{
    public SafeLlamaSamplerHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    internal static SafeLlamaSamplerHandle FromPointer(IntPtr p)
    {
        var h = new SafeLlamaSamplerHandle();
        h.SetHandle(p);
        return h;
    }

    protected override bool ReleaseHandle()
    {
        NativeMethods.llama_sampler_free(handle);
        return true;
    }
}
