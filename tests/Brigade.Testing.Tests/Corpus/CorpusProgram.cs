namespace Brigade.Testing.Tests.Corpus;

/// <summary>One labelled program of the corpus.</summary>
/// <param name="Name">A stable name (the test case id).</param>
/// <param name="Verdict">The expected verdict.</param>
/// <param name="Body">The program.</param>
/// <param name="RealOnly">True when the explorer cannot control it (it uses Brigade's engines).</param>
public sealed record CorpusProgram(string Name, Verdict Verdict, Action<IPar> Body, bool RealOnly = false)
{
    public override string ToString() => Name;
}
