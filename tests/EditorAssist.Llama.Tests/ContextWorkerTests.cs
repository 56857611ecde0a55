namespace EditorAssist.Llama.Tests;

/// <summary>Generation through the context's owner thread, on the shared CPU model.</summary>
[Collection("cpu-model")]
public sealed class ContextWorkerTests(CpuModelFixture fixture) : ContextWorkerContract
{
    protected override LocalModel Model => fixture.Model;
}
