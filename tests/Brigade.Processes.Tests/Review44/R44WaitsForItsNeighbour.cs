namespace Brigade.Processes.Tests.Review44;

/// <summary>Input <c>directory|index|mode</c>. Item 0 returns 0 once item 1 has marked the directory (-1 after 30 s); item 1
/// marks it, then returns 1 (mode <c>succeed</c>) or throws (mode <c>fail</c>); the others return their index.</summary>
public sealed class R44WaitsForItsNeighbour : IWork<string, int>
{
    public int Execute(string input)
    {
        var parts = input.Split('|');
        var marker = Path.Combine(parts[0], "1.done");
        var index = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        switch (index)
        {
            case 0:
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while (DateTime.UtcNow < deadline)
                {
                    if (File.Exists(marker))
                    {
                        return 0;
                    }

                    Thread.Sleep(10);
                }

                return -1;
            case 1:
                File.WriteAllText(marker, "");
                return parts[2] == "fail" ? throw new InvalidOperationException("item 1 fails") : 1;
            default:
                return index;
        }
    }
}
