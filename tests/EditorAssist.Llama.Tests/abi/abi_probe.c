/* Prints sizeof/offsetof of every struct the C# binding mirrors (server/EditorAssist.Llama/Native).
 * Build against the pinned header (llama.cpp de3ff815ea7d, shipped in node-llama-cpp@3.22.1):
 *   npm pack node-llama-cpp@3.22.1 && tar xzf node-llama-cpp-3.22.1.tgz
 *   git clone -q package/llama/gitRelease.bundle llama.cpp-src
 *   gcc -Illama.cpp-src/include -Illama.cpp-src/ggml/include abi_probe.c -o abi_probe && ./abi_probe
 * The numbers it prints are hard-coded in NativeStructsTests.cs. */
#include <stdio.h>
#include <stddef.h>
#include "llama.h"
#include "ggml-backend.h"
#define S(T) printf("SIZE %s %zu\n", #T, sizeof(struct T));
#define O(T,F) printf("OFF %s.%s %zu\n", #T, #F, offsetof(struct T, F));
int main(void){
S(llama_model_params)
O(llama_model_params,devices) O(llama_model_params,tensor_buft_overrides) O(llama_model_params,n_gpu_layers) O(llama_model_params,split_mode) O(llama_model_params,load_mode) O(llama_model_params,lazy_mode) O(llama_model_params,main_gpu) O(llama_model_params,tensor_split) O(llama_model_params,progress_callback) O(llama_model_params,progress_callback_user_data) O(llama_model_params,kv_overrides) O(llama_model_params,vocab_only) O(llama_model_params,check_tensors) O(llama_model_params,use_extra_bufts) O(llama_model_params,no_host) O(llama_model_params,no_alloc) O(llama_model_params,load_mtp)
S(llama_context_params)
O(llama_context_params,n_ctx) O(llama_context_params,n_batch) O(llama_context_params,n_ubatch) O(llama_context_params,n_seq_max) O(llama_context_params,n_rs_seq) O(llama_context_params,n_outputs_max) O(llama_context_params,n_outputs_max_per_seq) O(llama_context_params,n_threads) O(llama_context_params,n_threads_batch) O(llama_context_params,ctx_type) O(llama_context_params,rope_scaling_type) O(llama_context_params,pooling_type) O(llama_context_params,attention_type) O(llama_context_params,flash_attn_type) O(llama_context_params,rope_freq_base) O(llama_context_params,rope_freq_scale) O(llama_context_params,yarn_ext_factor) O(llama_context_params,yarn_attn_factor) O(llama_context_params,yarn_beta_fast) O(llama_context_params,yarn_beta_slow) O(llama_context_params,yarn_orig_ctx) O(llama_context_params,defrag_thold) O(llama_context_params,cb_eval) O(llama_context_params,cb_eval_user_data) O(llama_context_params,type_k) O(llama_context_params,type_v) O(llama_context_params,abort_callback) O(llama_context_params,abort_callback_data) O(llama_context_params,embeddings) O(llama_context_params,offload_kqv) O(llama_context_params,no_perf) O(llama_context_params,op_offload) O(llama_context_params,swa_full) O(llama_context_params,kv_unified) O(llama_context_params,samplers) O(llama_context_params,n_samplers) O(llama_context_params,ctx_other)
S(llama_batch)
O(llama_batch,n_tokens) O(llama_batch,token) O(llama_batch,embd) O(llama_batch,pos) O(llama_batch,n_seq_id) O(llama_batch,seq_id) O(llama_batch,logits)
S(llama_sampler_chain_params) O(llama_sampler_chain_params,no_perf)
S(llama_chat_message) O(llama_chat_message,role) O(llama_chat_message,content)
S(llama_token_data) O(llama_token_data,id) O(llama_token_data,logit) O(llama_token_data,p)
S(llama_token_data_array) O(llama_token_data_array,data) O(llama_token_data_array,size) O(llama_token_data_array,selected) O(llama_token_data_array,sorted)
S(llama_perf_context_data) O(llama_perf_context_data,t_start_ms) O(llama_perf_context_data,t_load_ms) O(llama_perf_context_data,t_p_eval_ms) O(llama_perf_context_data,t_eval_ms) O(llama_perf_context_data,n_p_eval) O(llama_perf_context_data,n_eval) O(llama_perf_context_data,n_reused)
return 0;}
