using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EditorAssist.Llama.Native;

// [LibraryImport] bindings for the part of llama.h / ggml.h / ggml-backend.h the runtime
// uses. The three logical library names below are resolved to full paths by
// LlamaLibrary's DllImportResolver (the npm build names its files libllama.v0.5.0.so or
// libllama.vulkan.v0.5.0.so, libggml.v0.5.0.so ..., so the default probing cannot find them).
// Conventions: strings are UTF-8; size_t is nuint; C bool parameters/returns are marshalled
// as one byte (U1). Pointers to opaque C objects that we own travel as SafeHandles; borrowed
// ones (vocab, memory, devices) as IntPtr.
internal static unsafe partial class NativeMethods
{
    internal const string LlamaLib = "llama";
    internal const string GgmlLib = "ggml";
    internal const string GgmlBaseLib = "ggml-base";

    // ---- ggml: backends and devices ----------------------------------------------------

    [LibraryImport(GgmlLib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void ggml_backend_load_all_from_path(string dirPath);

    [LibraryImport(GgmlLib)]
    internal static partial nuint ggml_backend_reg_count();

    [LibraryImport(GgmlLib)]
    internal static partial IntPtr ggml_backend_reg_get(nuint index);

    [LibraryImport(GgmlBaseLib)]
    internal static partial IntPtr ggml_backend_reg_name(IntPtr reg);

    [LibraryImport(GgmlLib)]
    internal static partial nuint ggml_backend_dev_count();

    [LibraryImport(GgmlLib)]
    internal static partial IntPtr ggml_backend_dev_get(nuint index);

    [LibraryImport(GgmlBaseLib)]
    internal static partial IntPtr ggml_backend_dev_name(IntPtr device);

    [LibraryImport(GgmlBaseLib)]
    internal static partial IntPtr ggml_backend_dev_description(IntPtr device);

    [LibraryImport(GgmlBaseLib)]
    internal static partial void ggml_backend_dev_memory(IntPtr device, out nuint free, out nuint total);

    [LibraryImport(GgmlBaseLib)]
    internal static partial GgmlBackendDevType ggml_backend_dev_type(IntPtr device);

    [LibraryImport(GgmlBaseLib)]
    internal static partial IntPtr ggml_backend_dev_backend_reg(IntPtr device);

    [LibraryImport(GgmlLib)]
    internal static partial IntPtr ggml_backend_dev_by_type(GgmlBackendDevType type);

    [LibraryImport(GgmlBaseLib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr ggml_backend_reg_get_proc_address(IntPtr reg, string name);

    // ---- ggml: CPU thread pool (ggml.h / ggml-cpu.h) ---------------------------------------
    // ggml_threadpool_new/free live in the CPU backend, which is a separately loaded
    // libggml-cpu-<arch>.so: they are reached through ggml_backend_reg_get_proc_address.

    /// <summary>Fills a <c>struct ggml_threadpool_params</c> (defaults for <paramref name="threads"/> threads) at <paramref name="p"/>.</summary>
    [LibraryImport(GgmlBaseLib)]
    internal static partial void ggml_threadpool_params_init(void* p, int threads);

    [LibraryImport(LlamaLib)]
    internal static partial void llama_attach_threadpool(SafeLlamaContextHandle ctx, IntPtr threadpool, IntPtr threadpoolBatch);

    // ---- logging -----------------------------------------------------------------------

    // void (*ggml_log_callback)(enum ggml_log_level level, const char * text, void * user_data)
    [LibraryImport(GgmlBaseLib)]
    internal static partial void ggml_log_set(delegate* unmanaged<GgmlLogLevel, byte*, IntPtr, void> callback, IntPtr userData);

    [LibraryImport(LlamaLib)]
    internal static partial void llama_log_set(delegate* unmanaged<GgmlLogLevel, byte*, IntPtr, void> callback, IntPtr userData);

    // ---- llama: lifecycle ----------------------------------------------------------------

    [LibraryImport(LlamaLib)]
    internal static partial void llama_backend_init();

    [LibraryImport(LlamaLib)]
    internal static partial IntPtr llama_print_system_info();

    [LibraryImport(LlamaLib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_supports_gpu_offload();

    [LibraryImport(LlamaLib)]
    internal static partial LlamaModelParams llama_model_default_params();

    [LibraryImport(LlamaLib)]
    internal static partial LlamaContextParams llama_context_default_params();

    [LibraryImport(LlamaLib)]
    internal static partial LlamaSamplerChainParams llama_sampler_chain_default_params();

    // ---- model ---------------------------------------------------------------------------

    [LibraryImport(LlamaLib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr llama_model_load_from_file(string pathModel, LlamaModelParams parameters);

    [LibraryImport(LlamaLib)]
    internal static partial void llama_model_free(IntPtr model);

    [LibraryImport(LlamaLib)]
    internal static partial IntPtr llama_model_get_vocab(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_model_n_ctx_train(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_model_n_embd(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_model_n_layer(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_model_n_head(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_model_n_head_kv(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLib)]
    internal static partial ulong llama_model_size(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLib)]
    internal static partial ulong llama_model_n_params(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int llama_model_meta_val_str(SafeLlamaModelHandle model, string key, byte* buf, nuint bufSize);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_model_meta_count(SafeLlamaModelHandle model);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_model_meta_key_by_index(SafeLlamaModelHandle model, int i, byte* buf, nuint bufSize);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_model_meta_val_str_by_index(SafeLlamaModelHandle model, int i, byte* buf, nuint bufSize);

    /// <summary>Returns the template string owned by the model, or NULL; name NULL = default template.</summary>
    [LibraryImport(LlamaLib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr llama_model_chat_template(SafeLlamaModelHandle model, string? name);

    // ---- vocab (borrowed pointer owned by the model) -------------------------------------

    [LibraryImport(LlamaLib)]
    internal static partial int llama_vocab_n_tokens(IntPtr vocab);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_vocab_bos(IntPtr vocab);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_vocab_eos(IntPtr vocab);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_vocab_eot(IntPtr vocab);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_vocab_fim_pre(IntPtr vocab);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_vocab_fim_suf(IntPtr vocab);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_vocab_fim_mid(IntPtr vocab);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_vocab_fim_pad(IntPtr vocab);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_vocab_fim_rep(IntPtr vocab);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_vocab_fim_sep(IntPtr vocab);

    [LibraryImport(LlamaLib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_is_eog(IntPtr vocab, int token);

    [LibraryImport(LlamaLib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_is_control(IntPtr vocab, int token);

    [LibraryImport(LlamaLib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_vocab_get_add_bos(IntPtr vocab);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_tokenize(IntPtr vocab, byte* text, int textLen, int* tokens, int nTokensMax,
        [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_token_to_piece(IntPtr vocab, int token, byte* buf, int length, int lstrip,
        [MarshalAs(UnmanagedType.U1)] bool special);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_detokenize(IntPtr vocab, int* tokens, int nTokens, byte* text, int textLenMax,
        [MarshalAs(UnmanagedType.U1)] bool removeSpecial, [MarshalAs(UnmanagedType.U1)] bool unparseSpecial);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_chat_apply_template(byte* tmpl, LlamaChatMessage* chat, nuint nMsg,
        [MarshalAs(UnmanagedType.U1)] bool addAssistant, byte* buf, int length);

    // ---- context -------------------------------------------------------------------------

    [LibraryImport(LlamaLib)]
    internal static partial IntPtr llama_init_from_model(SafeLlamaModelHandle model, LlamaContextParams parameters);

    [LibraryImport(LlamaLib)]
    internal static partial void llama_free(IntPtr ctx);

    [LibraryImport(LlamaLib)]
    internal static partial uint llama_n_ctx(SafeLlamaContextHandle ctx);

    [LibraryImport(LlamaLib)]
    internal static partial uint llama_n_batch(SafeLlamaContextHandle ctx);

    [LibraryImport(LlamaLib)]
    internal static partial IntPtr llama_get_memory(SafeLlamaContextHandle ctx);

    [LibraryImport(LlamaLib)]
    internal static partial void llama_memory_clear(IntPtr mem, [MarshalAs(UnmanagedType.U1)] bool data);

    [LibraryImport(LlamaLib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_memory_seq_rm(IntPtr mem, int seqId, int p0, int p1);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_memory_seq_pos_max(IntPtr mem, int seqId);

    [LibraryImport(LlamaLib)]
    internal static partial void llama_memory_seq_cp(IntPtr mem, int seqIdSrc, int seqIdDst, int p0, int p1);

    [LibraryImport(LlamaLib)]
    internal static partial void llama_memory_seq_add(IntPtr mem, int seqId, int p0, int p1, int delta);

    [LibraryImport(LlamaLib)]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static partial bool llama_memory_can_shift(IntPtr mem);

    [LibraryImport(LlamaLib)]
    internal static partial LlamaBatch llama_batch_init(int nTokens, int embd, int nSeqMax);

    [LibraryImport(LlamaLib)]
    internal static partial void llama_batch_free(LlamaBatch batch);

    /// <summary>0 ok; 1 no KV slot; 2 aborted; -1 invalid batch; &lt; -1 fatal.</summary>
    [LibraryImport(LlamaLib)]
    internal static partial int llama_decode(SafeLlamaContextHandle ctx, LlamaBatch batch);

    [LibraryImport(LlamaLib)]
    internal static partial void llama_set_abort_callback(SafeLlamaContextHandle ctx, delegate* unmanaged<IntPtr, byte> abortCallback, IntPtr data);

    [LibraryImport(LlamaLib)]
    internal static partial LlamaPerfContextData llama_perf_context(SafeLlamaContextHandle ctx);

    // ---- sampling --------------------------------------------------------------------------

    [LibraryImport(LlamaLib)]
    internal static partial IntPtr llama_sampler_chain_init(LlamaSamplerChainParams parameters);

    /// <summary>The chain takes ownership of <paramref name="sampler"/>.</summary>
    [LibraryImport(LlamaLib)]
    internal static partial void llama_sampler_chain_add(SafeLlamaSamplerHandle chain, IntPtr sampler);

    [LibraryImport(LlamaLib)]
    internal static partial int llama_sampler_chain_n(SafeLlamaSamplerHandle chain);

    [LibraryImport(LlamaLib)]
    internal static partial void llama_sampler_free(IntPtr sampler);

    [LibraryImport(LlamaLib)]
    internal static partial void llama_sampler_reset(SafeLlamaSamplerHandle sampler);

    [LibraryImport(LlamaLib)]
    internal static partial void llama_sampler_accept(SafeLlamaSamplerHandle sampler, int token);

    /// <summary>Samples from the logits of output <paramref name="idx"/> (-1 = last) and accepts the token into the chain.</summary>
    [LibraryImport(LlamaLib)]
    internal static partial int llama_sampler_sample(SafeLlamaSamplerHandle sampler, SafeLlamaContextHandle ctx, int idx);

    [LibraryImport(LlamaLib)]
    internal static partial IntPtr llama_sampler_init_greedy();

    [LibraryImport(LlamaLib)]
    internal static partial IntPtr llama_sampler_init_dist(uint seed);

    [LibraryImport(LlamaLib)]
    internal static partial IntPtr llama_sampler_init_top_k(int k);

    [LibraryImport(LlamaLib)]
    internal static partial IntPtr llama_sampler_init_top_p(float p, nuint minKeep);

    [LibraryImport(LlamaLib)]
    internal static partial IntPtr llama_sampler_init_min_p(float p, nuint minKeep);

    [LibraryImport(LlamaLib)]
    internal static partial IntPtr llama_sampler_init_temp(float t);

    [LibraryImport(LlamaLib)]
    internal static partial IntPtr llama_sampler_init_penalties(int nVocab, int penaltyLastN, float penaltyRepeat, float penaltyFreq, float penaltyPresent);

    /// <summary>Returns NULL when the grammar does not parse.</summary>
    [LibraryImport(LlamaLib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial IntPtr llama_sampler_init_grammar(IntPtr vocab, string grammarStr, string grammarRoot);

    [LibraryImport(LlamaLib)]
    internal static partial IntPtr llama_sampler_init_logit_bias(int nVocab, int nLogitBias, LlamaLogitBias* logitBias);

    // ---- helpers -------------------------------------------------------------------------

    /// <summary>Reads a NUL-terminated UTF-8 string owned by native code (never freed by us).</summary>
    internal static string? PtrToString(IntPtr p) => p == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static byte ToByte(bool value) => value ? (byte)1 : (byte)0;
}

