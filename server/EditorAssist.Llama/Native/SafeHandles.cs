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

    /// <summary>
    /// Gives the context a persistent CPU thread pool of <paramref name="threads"/> threads.
    /// Without one, the CPU backend of a non-OpenMP ggml build (the npm builds we ship) creates
    /// and joins threads − 1 OS threads in every llama_decode, i.e. for every generated token;
    /// OpenMP builds (LLamaSharp's) keep their team alive. The pool is freed after the context.
    /// Returns false when there is nothing to attach (one thread, or no CPU backend).
    /// </summary>
    internal bool AttachCpuThreadpool(int threads)
    {
        if (threads <= 1 || _threadpool != IntPtr.Zero)
        {
            return false; // one thread computes on the caller: no pool to create per decode
        }
        IntPtr pool = CpuThreadpool.Create(threads);
        if (pool == IntPtr.Zero)
        {
            return false;
        }
        _threadpool = pool;
        // The same pool for single-token decodes and for prompt batches (n_threads == n_threads_batch).
        NativeMethods.llama_attach_threadpool(this, pool, pool);
        return true;
    }

    private IntPtr _threadpool;

    internal bool HasCpuThreadpool => _threadpool != IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.llama_free(handle);
        if (_threadpool != IntPtr.Zero)
        {
            CpuThreadpool.Free(_threadpool); // after llama_free: the context computes on it until then
        }
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

/// <summary>ggml_threadpool_new / ggml_threadpool_free of the loaded CPU backend.</summary>
internal static unsafe class CpuThreadpool
{
    internal static IntPtr Create(int threads)
    {
        if (!Functions(out IntPtr create, out _))
        {
            return IntPtr.Zero;
        }
        // struct ggml_threadpool_params is ~530 bytes (a GGML_MAX_N_THREADS-long cpumask first);
        // ggml fills it, so only an upper bound of its size is needed here.
        byte* p = stackalloc byte[4096];
        new Span<byte>(p, 4096).Clear();
        NativeMethods.ggml_threadpool_params_init(p, threads);
        return ((delegate* unmanaged<void*, IntPtr>)create)(p);
    }

    internal static void Free(IntPtr pool)
    {
        if (Functions(out _, out IntPtr free))
        {
            ((delegate* unmanaged<IntPtr, void>)free)(pool);
        }
    }

    private static bool Functions(out IntPtr create, out IntPtr free)
    {
        create = free = IntPtr.Zero;
        IntPtr dev = NativeMethods.ggml_backend_dev_by_type(GgmlBackendDevType.Cpu);
        if (dev == IntPtr.Zero)
        {
            return false;
        }
        IntPtr reg = NativeMethods.ggml_backend_dev_backend_reg(dev);
        create = NativeMethods.ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_new");
        free = NativeMethods.ggml_backend_reg_get_proc_address(reg, "ggml_threadpool_free");
        return create != IntPtr.Zero && free != IntPtr.Zero;
    }
}
