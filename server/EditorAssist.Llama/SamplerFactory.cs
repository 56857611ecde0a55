using EditorAssist.Llama.Native;

namespace EditorAssist.Llama;

/// <summary>Builds the llama sampler chain for one request from its options.</summary>
internal static unsafe class SamplerFactory
{
    public static SafeLlamaSamplerHandle Create(LocalModel model, GenerationOptions o)
    {
        var chain = SafeLlamaSamplerHandle.FromPointer(
            NativeMethods.llama_sampler_chain_init(NativeMethods.llama_sampler_chain_default_params()));
        try
        {
            int nVocab = NativeMethods.llama_vocab_n_tokens(model.Vocab);
            string? grammar = o.Grammar ?? o.ResponseFormat switch
            {
                ResponseFormatKind.Json => JsonGrammar.AnyObject,
                ResponseFormatKind.JsonSchema => JsonGrammar.FromJsonSchema(
                    o.JsonSchema ?? throw new ArgumentException("ResponseFormat JsonSchema needs JsonSchema.")),
                _ => null,
            };
            if (grammar != null)
            {
                // First in the chain: later samplers only ever see tokens the grammar allows.
                IntPtr g = NativeMethods.llama_sampler_init_grammar(model.Vocab, grammar, "root");
                if (g == IntPtr.Zero)
                {
                    throw new ArgumentException("The grammar does not parse (see the log).");
                }
                NativeMethods.llama_sampler_chain_add(chain, g);
            }
            if (o.IgnoreEndOfGeneration)
            {
                var biases = new List<LlamaLogitBias>();
                for (int t = 0; t < nVocab; t++)
                {
                    if (NativeMethods.llama_vocab_is_eog(model.Vocab, t))
                    {
                        biases.Add(new LlamaLogitBias { token = t, bias = float.NegativeInfinity });
                    }
                }
                var arr = biases.ToArray();
                fixed (LlamaLogitBias* p = arr)
                {
                    NativeMethods.llama_sampler_chain_add(chain, NativeMethods.llama_sampler_init_logit_bias(nVocab, arr.Length, p));
                }
            }
            if (o.RepeatPenalty != 1.0f && o.RepeatLastN != 0)
            {
                NativeMethods.llama_sampler_chain_add(chain,
                    NativeMethods.llama_sampler_init_penalties(nVocab, o.RepeatLastN, o.RepeatPenalty, 0f, 0f));
            }
            if (o.Temperature <= 0)
            {
                NativeMethods.llama_sampler_chain_add(chain, NativeMethods.llama_sampler_init_greedy());
                return chain;
            }
            if (o.TopK > 0)
            {
                NativeMethods.llama_sampler_chain_add(chain, NativeMethods.llama_sampler_init_top_k(o.TopK));
            }
            if (o.TopP is > 0 and < 1)
            {
                NativeMethods.llama_sampler_chain_add(chain, NativeMethods.llama_sampler_init_top_p(o.TopP, 1));
            }
            if (o.MinP is > 0 and < 1)
            {
                NativeMethods.llama_sampler_chain_add(chain, NativeMethods.llama_sampler_init_min_p(o.MinP, 1));
            }
            NativeMethods.llama_sampler_chain_add(chain, NativeMethods.llama_sampler_init_temp(o.Temperature));
            NativeMethods.llama_sampler_chain_add(chain, NativeMethods.llama_sampler_init_dist(o.Seed));
            return chain;
        }
        catch
        {
            chain.Dispose();
            throw;
        }
    }
}
