namespace Brigade.Cli.Run;

/// <summary>What one item produced: the bytes that go to the output file.</summary>
internal sealed record ItemOutput(InputItem Item, byte[] Output);
