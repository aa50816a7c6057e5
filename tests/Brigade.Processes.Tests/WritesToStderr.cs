using System.Globalization;

namespace Brigade.Processes.Tests;

/// <summary>Writes as many 1 KiB lines to standard error as its input says ("NNNN xxx…"), then returns the count.</summary>
public sealed class WritesToStderr : IWork<int, int>
{
    public int Execute(int input)
    {
        var filler = new string('x', 1_018);
        for (var i = 0; i < input; i++)
        {
            Console.Error.WriteLine(i.ToString("D4", CultureInfo.InvariantCulture) + " " + filler);
        }

        Console.Error.Flush();
        return input;
    }
}
