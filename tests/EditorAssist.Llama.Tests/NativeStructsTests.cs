using System.Runtime.CompilerServices;
using EditorAssist.Llama.Native;

namespace EditorAssist.Llama.Tests;

/// <summary>
/// Pins the managed mirrors of the C structs to the pinned llama.h (llama.cpp de3ff815ea7d,
/// node-llama-cpp 3.22.1). Every expected number below was printed by abi/abi_probe.c compiled
/// with gcc against that header (x86-64 Linux); a header upgrade that moves a field fails here
/// instead of corrupting memory at run time.
/// </summary>
public sealed unsafe class NativeStructsTests
{
    private static int Off<T>(ref T s, ref byte field) where T : unmanaged =>
        (int)Unsafe.ByteOffset(ref Unsafe.As<T, byte>(ref s), ref field);

    [Fact]
    public void llama_model_params_matches_the_header()
    {
        Assert.Equal(80, sizeof(LlamaModelParams));
        var s = default(LlamaModelParams);
        Assert.Equal(0, Off(ref s, ref Unsafe.As<IntPtr, byte>(ref s.devices)));
        Assert.Equal(8, Off(ref s, ref Unsafe.As<IntPtr, byte>(ref s.tensor_buft_overrides)));
        Assert.Equal(16, Off(ref s, ref Unsafe.As<int, byte>(ref s.n_gpu_layers)));
        Assert.Equal(20, Off(ref s, ref Unsafe.As<LlamaSplitMode, byte>(ref s.split_mode)));
        Assert.Equal(24, Off(ref s, ref Unsafe.As<int, byte>(ref s.load_mode)));
        Assert.Equal(28, Off(ref s, ref Unsafe.As<int, byte>(ref s.lazy_mode)));
        Assert.Equal(32, Off(ref s, ref Unsafe.As<int, byte>(ref s.main_gpu)));
        Assert.Equal(40, Off(ref s, ref Unsafe.As<IntPtr, byte>(ref *(IntPtr*)&s.tensor_split)));
        Assert.Equal(48, Off(ref s, ref Unsafe.As<IntPtr, byte>(ref *(IntPtr*)&s.progress_callback)));
        Assert.Equal(56, Off(ref s, ref Unsafe.As<IntPtr, byte>(ref s.progress_callback_user_data)));
        Assert.Equal(64, Off(ref s, ref Unsafe.As<IntPtr, byte>(ref s.kv_overrides)));
        Assert.Equal(72, Off(ref s, ref s.vocab_only));
        Assert.Equal(73, Off(ref s, ref s.check_tensors));
        Assert.Equal(74, Off(ref s, ref s.use_extra_bufts));
        Assert.Equal(75, Off(ref s, ref s.no_host));
        Assert.Equal(76, Off(ref s, ref s.no_alloc));
        Assert.Equal(77, Off(ref s, ref s.load_mtp));
    }

    [Fact]
    public void llama_context_params_matches_the_header()
    {
        Assert.Equal(160, sizeof(LlamaContextParams));
        var s = default(LlamaContextParams);
        ref byte B<T>(ref T f) => ref Unsafe.As<T, byte>(ref f);
        (int Expected, int Actual)[] fields =
        [
            (0, Off(ref s, ref B(ref s.n_ctx))), (4, Off(ref s, ref B(ref s.n_batch))), (8, Off(ref s, ref B(ref s.n_ubatch))),
            (12, Off(ref s, ref B(ref s.n_seq_max))), (16, Off(ref s, ref B(ref s.n_rs_seq))), (20, Off(ref s, ref B(ref s.n_outputs_max))),
            (24, Off(ref s, ref B(ref s.n_outputs_max_per_seq))), (28, Off(ref s, ref B(ref s.n_threads))), (32, Off(ref s, ref B(ref s.n_threads_batch))),
            (36, Off(ref s, ref B(ref s.ctx_type))), (40, Off(ref s, ref B(ref s.rope_scaling_type))), (44, Off(ref s, ref B(ref s.pooling_type))),
            (48, Off(ref s, ref B(ref s.attention_type))), (52, Off(ref s, ref B(ref s.flash_attn_type))), (56, Off(ref s, ref B(ref s.rope_freq_base))),
            (60, Off(ref s, ref B(ref s.rope_freq_scale))), (64, Off(ref s, ref B(ref s.yarn_ext_factor))), (68, Off(ref s, ref B(ref s.yarn_attn_factor))),
            (72, Off(ref s, ref B(ref s.yarn_beta_fast))), (76, Off(ref s, ref B(ref s.yarn_beta_slow))), (80, Off(ref s, ref B(ref s.yarn_orig_ctx))),
            (84, Off(ref s, ref B(ref s.defrag_thold))), (88, Off(ref s, ref B(ref s.cb_eval))), (96, Off(ref s, ref B(ref s.cb_eval_user_data))),
            (104, Off(ref s, ref B(ref s.type_k))), (108, Off(ref s, ref B(ref s.type_v))),
            (112, Off(ref s, ref B(ref *(IntPtr*)&s.abort_callback))), (120, Off(ref s, ref B(ref s.abort_callback_data))),
            (128, Off(ref s, ref s.embeddings)), (129, Off(ref s, ref s.offload_kqv)), (130, Off(ref s, ref s.no_perf)),
            (131, Off(ref s, ref s.op_offload)), (132, Off(ref s, ref s.swa_full)), (133, Off(ref s, ref s.kv_unified)),
            (136, Off(ref s, ref B(ref s.samplers))), (144, Off(ref s, ref B(ref s.n_samplers))), (152, Off(ref s, ref B(ref s.ctx_other))),
        ];
        Assert.All(fields, f => Assert.Equal(f.Expected, f.Actual));
        Assert.Equal(37, fields.Length); // every field of the C struct
    }

    [Fact]
    public void llama_batch_matches_the_header()
    {
        Assert.Equal(56, sizeof(LlamaBatch));
        var s = default(LlamaBatch);
        Assert.Equal(0, Off(ref s, ref Unsafe.As<int, byte>(ref s.n_tokens)));
        Assert.Equal(8, Off(ref s, ref Unsafe.As<IntPtr, byte>(ref *(IntPtr*)&s.token)));
        Assert.Equal(16, Off(ref s, ref Unsafe.As<IntPtr, byte>(ref *(IntPtr*)&s.embd)));
        Assert.Equal(24, Off(ref s, ref Unsafe.As<IntPtr, byte>(ref *(IntPtr*)&s.pos)));
        Assert.Equal(32, Off(ref s, ref Unsafe.As<IntPtr, byte>(ref *(IntPtr*)&s.n_seq_id)));
        Assert.Equal(40, Off(ref s, ref Unsafe.As<IntPtr, byte>(ref *(IntPtr*)&s.seq_id)));
        Assert.Equal(48, Off(ref s, ref Unsafe.As<IntPtr, byte>(ref *(IntPtr*)&s.logits)));
    }

    [Fact]
    public void Small_structs_match_the_header()
    {
        Assert.Equal(1, sizeof(LlamaSamplerChainParams));
        Assert.Equal(16, sizeof(LlamaChatMessage));
        var m = default(LlamaChatMessage);
        Assert.Equal(0, Off(ref m, ref Unsafe.As<IntPtr, byte>(ref m.role)));
        Assert.Equal(8, Off(ref m, ref Unsafe.As<IntPtr, byte>(ref m.content)));

        Assert.Equal(12, sizeof(LlamaTokenData));
        var d = default(LlamaTokenData);
        Assert.Equal(0, Off(ref d, ref Unsafe.As<int, byte>(ref d.id)));
        Assert.Equal(4, Off(ref d, ref Unsafe.As<float, byte>(ref d.logit)));
        Assert.Equal(8, Off(ref d, ref Unsafe.As<float, byte>(ref d.p)));

        Assert.Equal(32, sizeof(LlamaTokenDataArray));
        var a = default(LlamaTokenDataArray);
        Assert.Equal(0, Off(ref a, ref Unsafe.As<IntPtr, byte>(ref *(IntPtr*)&a.data)));
        Assert.Equal(8, Off(ref a, ref Unsafe.As<nuint, byte>(ref a.size)));
        Assert.Equal(16, Off(ref a, ref Unsafe.As<long, byte>(ref a.selected)));
        Assert.Equal(24, Off(ref a, ref a.sorted));

        // llama_logit_bias {llama_token token; float bias;}: two 4-byte fields.
        Assert.Equal(8, sizeof(LlamaLogitBias));

        Assert.Equal(48, sizeof(LlamaPerfContextData));
        var p = default(LlamaPerfContextData);
        Assert.Equal(0, Off(ref p, ref Unsafe.As<double, byte>(ref p.t_start_ms)));
        Assert.Equal(8, Off(ref p, ref Unsafe.As<double, byte>(ref p.t_load_ms)));
        Assert.Equal(16, Off(ref p, ref Unsafe.As<double, byte>(ref p.t_p_eval_ms)));
        Assert.Equal(24, Off(ref p, ref Unsafe.As<double, byte>(ref p.t_eval_ms)));
        Assert.Equal(32, Off(ref p, ref Unsafe.As<int, byte>(ref p.n_p_eval)));
        Assert.Equal(36, Off(ref p, ref Unsafe.As<int, byte>(ref p.n_eval)));
        Assert.Equal(40, Off(ref p, ref Unsafe.As<int, byte>(ref p.n_reused)));
    }

    [Fact]
    public void Defaults_returned_by_value_from_the_real_library_land_in_the_right_fields()
    {
        _ = LlamaTestEnvironment.Runtime; // loads libllama
        // Values from llama_context_default_params / llama_model_default_params in the pinned
        // source: a shifted field would show up as a wrong number here.
        var c = NativeMethods.llama_context_default_params();
        Assert.Equal((512u, 2048u, 512u, 1u, 0u, 0u, 1u), (c.n_ctx, c.n_batch, c.n_ubatch, c.n_seq_max, c.n_rs_seq, c.n_outputs_max, c.n_outputs_max_per_seq));
        Assert.Equal((4, 4), (c.n_threads, c.n_threads_batch));
        Assert.Equal((0, -1, -1, -1, -1), (c.ctx_type, c.rope_scaling_type, c.pooling_type, c.attention_type, c.flash_attn_type));
        Assert.Equal((-1f, -1f, -1f, -1f, -1f), (c.yarn_ext_factor, c.yarn_attn_factor, c.yarn_beta_fast, c.yarn_beta_slow, c.defrag_thold));
        Assert.Equal((1, 1), (c.type_k, c.type_v)); // GGML_TYPE_F16
        Assert.Equal(((byte)0, (byte)1, (byte)1, (byte)1, (byte)1, (byte)0), (c.embeddings, c.offload_kqv, c.no_perf, c.op_offload, c.swa_full, c.kv_unified));
        Assert.Equal((IntPtr.Zero, (nuint)0, IntPtr.Zero), (c.samplers, c.n_samplers, c.ctx_other));

        var m = NativeMethods.llama_model_default_params();
        Assert.Equal(-1, m.n_gpu_layers);
        Assert.Equal(LlamaSplitMode.Layer, m.split_mode);
        Assert.Equal((-1, 1, 0), (m.load_mode, m.lazy_mode, m.main_gpu));
        Assert.Equal(((byte)0, (byte)0, (byte)1, (byte)0, (byte)0, (byte)0), (m.vocab_only, m.check_tensors, m.use_extra_bufts, m.no_host, m.no_alloc, m.load_mtp));

        Assert.Equal(1, NativeMethods.llama_sampler_chain_default_params().no_perf);
    }
}
