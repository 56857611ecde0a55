using System.Runtime.InteropServices;

namespace EditorAssist.Llama.Native;

// Mirrors of the C structs in llama.h / ggml-backend.h of llama.cpp commit de3ff815ea7d
// (the build shipped as @node-llama-cpp/*@3.22.1). Field order and types follow the header
// exactly; LlamaAbiTests pins sizeof and every offset to numbers printed by a C program
// compiled against that header. C `bool` is one byte, so it is declared as `byte` here:
// a blittable struct keeps marshalling free (no copy) and the layout unambiguous.

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaModelParams
{
    public IntPtr devices;                      // ggml_backend_dev_t*, NULL-terminated; NULL = all devices
    public IntPtr tensor_buft_overrides;        // const llama_model_tensor_buft_override*
    public int n_gpu_layers;
    public LlamaSplitMode split_mode;
    public int load_mode;                       // enum llama_load_mode
    public int lazy_mode;                       // enum llama_lazy_mode
    public int main_gpu;
    public float* tensor_split;
    public delegate* unmanaged<float, IntPtr, byte> progress_callback;
    public IntPtr progress_callback_user_data;
    public IntPtr kv_overrides;
    public byte vocab_only;
    public byte check_tensors;
    public byte use_extra_bufts;
    public byte no_host;
    public byte no_alloc;
    public byte load_mtp;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaContextParams
{
    public uint n_ctx;
    public uint n_batch;
    public uint n_ubatch;
    public uint n_seq_max;
    public uint n_rs_seq;
    public uint n_outputs_max;
    public uint n_outputs_max_per_seq;
    public int n_threads;
    public int n_threads_batch;
    public int ctx_type;                        // enum llama_context_type
    public int rope_scaling_type;               // enum llama_rope_scaling_type
    public int pooling_type;                    // enum llama_pooling_type
    public int attention_type;                  // enum llama_attention_type
    public int flash_attn_type;                 // enum llama_flash_attn_type
    public float rope_freq_base;
    public float rope_freq_scale;
    public float yarn_ext_factor;
    public float yarn_attn_factor;
    public float yarn_beta_fast;
    public float yarn_beta_slow;
    public uint yarn_orig_ctx;
    public float defrag_thold;
    public IntPtr cb_eval;
    public IntPtr cb_eval_user_data;
    public int type_k;                          // enum ggml_type
    public int type_v;                          // enum ggml_type
    public delegate* unmanaged<IntPtr, byte> abort_callback;
    public IntPtr abort_callback_data;
    public byte embeddings;
    public byte offload_kqv;
    public byte no_perf;
    public byte op_offload;
    public byte swa_full;
    public byte kv_unified;
    public IntPtr samplers;                     // llama_sampler_seq_config*
    public nuint n_samplers;
    public IntPtr ctx_other;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaBatch
{
    public int n_tokens;
    public int* token;
    public float* embd;
    public int* pos;
    public int* n_seq_id;
    public int** seq_id;
    public sbyte* logits;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaSamplerChainParams
{
    public byte no_perf;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaChatMessage
{
    public IntPtr role;                         // const char*, UTF-8, owned by the caller
    public IntPtr content;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaTokenData
{
    public int id;
    public float logit;
    public float p;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaTokenDataArray
{
    public LlamaTokenData* data;
    public nuint size;
    public long selected;
    public byte sorted;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaLogitBias
{
    public int token;
    public float bias;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaPerfContextData
{
    public double t_start_ms;
    public double t_load_ms;
    public double t_p_eval_ms;
    public double t_eval_ms;
    public int n_p_eval;
    public int n_eval;
    public int n_reused;
}

internal enum LlamaSplitMode
{
    None = 0,
    Layer = 1,
    Row = 2,
    Tensor = 3,
}

/// <summary>enum ggml_backend_dev_type.</summary>
internal enum GgmlBackendDevType
{
    Cpu = 0,
    Gpu = 1,
    IGpu = 2,
    Accel = 3,
    Meta = 4,
}

/// <summary>enum ggml_log_level.</summary>
internal enum GgmlLogLevel
{
    None = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
    Cont = 5,
}
