using EditorAssist.Llama.Native;

namespace EditorAssist.Llama.Tests;

public sealed unsafe class SafeHandlesTests
{
    private static SafeLlamaModelHandle LoadTinyOnCpu()
    {
        _ = LlamaTestEnvironment.Runtime;
        var mp = NativeMethods.llama_model_default_params();
        IntPtr* none = stackalloc IntPtr[1];
        none[0] = IntPtr.Zero;
        mp.devices = (IntPtr)none;
        mp.n_gpu_layers = 0;
        var h = SafeLlamaModelHandle.FromPointer(NativeMethods.llama_model_load_from_file(LlamaTestEnvironment.TinyModelPath, mp));
        Assert.False(h.IsInvalid);
        return h;
    }

    private static LlamaContextParams SmallContext()
    {
        var cp = NativeMethods.llama_context_default_params();
        cp.n_ctx = 64;
        cp.n_batch = 16;
        cp.n_ubatch = 16;
        cp.n_threads = 1;
        cp.n_threads_batch = 1;
        cp.offload_kqv = 0;
        cp.op_offload = 0;
        return cp;
    }

    [Fact]
    public void Context_keeps_its_model_alive_after_the_model_is_disposed()
    {
        var model = LoadTinyOnCpu();
        var ctx = SafeLlamaContextHandle.Create(model, SmallContext());
        Assert.False(ctx.IsInvalid);
        Assert.Same(model, ctx.Model);

        model.Dispose(); // the free waits for the context's reference
        Assert.False(model.IsClosed, "the context still holds a reference");

        // The model's memory must still be valid: decoding reads its weights.
        var batch = NativeMethods.llama_batch_init(1, 0, 1);
        try
        {
            batch.n_tokens = 1;
            batch.token[0] = 1;
            batch.pos[0] = 0;
            batch.n_seq_id[0] = 1;
            batch.seq_id[0][0] = 0;
            batch.logits[0] = 1;
            Assert.Equal(0, NativeMethods.llama_decode(ctx, batch));
        }
        finally
        {
            NativeMethods.llama_batch_free(batch);
        }
        ctx.Dispose(); // frees the context, then the model
        Assert.True(ctx.IsClosed);
        Assert.True(model.IsClosed);
    }

    [Fact]
    public void Disposing_twice_in_either_order_frees_once()
    {
        var model = LoadTinyOnCpu();
        var ctx = SafeLlamaContextHandle.Create(model, SmallContext());
        ctx.Dispose();
        ctx.Dispose();
        model.Dispose();
        model.Dispose();
        Assert.True(model.IsClosed && ctx.IsClosed);
    }

    [Fact]
    public void Invalid_handles_report_IsInvalid_and_release_nothing()
    {
        var h = SafeLlamaModelHandle.FromPointer(IntPtr.Zero);
        Assert.True(h.IsInvalid);
        h.Dispose(); // must not call llama_model_free(NULL)
        var s = SafeLlamaSamplerHandle.FromPointer(NativeMethods.llama_sampler_init_greedy());
        Assert.False(s.IsInvalid);
        s.Dispose();
    }
}
