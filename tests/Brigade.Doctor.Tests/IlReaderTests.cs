using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests;

/// <summary>The shared IL decoder (review 29d N1, F2): prefixes keep it in step, and branch targets are where the branches land.</summary>
public sealed class IlReaderTests
{
    [Fact]
    public void NoPrefix_TakesItsOneByteOperand_SoTheNextInstructionsDecodeInStep()
    {
        // no. 0x01; ldc.i4.m1; call 0x0A000001; ret
        byte[] il = [0xFE, 0x19, 0x01, 0x15, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x2A];

        var code = IlReader.Decode(il);

        Assert.Equal([(0, 0xFE19), (3, 0x15), (4, 0x28), (9, 0x2A)], code.Select(c => (c.Offset, c.Op)));
        Assert.Equal(0x0A000001, code[2].Operand);
    }

    [Fact]
    public void ShortBranches_AreSignExtended_AndEveryBranchKindGivesItsTarget()
    {
        // 0: ldarg.0; 1: brtrue.s +7 (-> 10); 3: ldc.i4 600000; 8: br.s +1 (-> 11); 10: ldc.i4.m1; 11: call; 16: br.s -18 (-> 0);
        // 18: leave 0 (-> 23); 23: switch (2) [-28 -> 8, 0 -> 36]; 36: ret
        byte[] il =
        [
            0x02, 0x2D, 0x07, 0x20, 0xC0, 0x27, 0x09, 0x00, 0x2B, 0x01, 0x15, 0x28, 0x01, 0x00, 0x00, 0x0A, 0x2B, 0xEE,
            0xDD, 0x00, 0x00, 0x00, 0x00, 0x45, 0x02, 0x00, 0x00, 0x00, 0xE4, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x2A,
        ];

        var code = IlReader.Decode(il);
        var targets = IlReader.BranchTargets(il, code);

        Assert.Equal(-18, code.Single(c => c.Offset == 16).Operand);
        Assert.Equal(new[] { 0, 8, 10, 11, 23, 36 }, targets.Order());
        Assert.True(IlReader.EndsPath(code.Single(c => c.Offset == 8).Op));
        Assert.False(IlReader.EndsPath(code.Single(c => c.Offset == 1).Op));
    }
}
