namespace Brigade.Cli.Tests.Review39;

/// <summary>
/// A CSV header with a name twice (<c>name,email,name</c>, as exports often have) makes <c>{name}</c> a usage error
/// naming the columns, before anything runs. Before, <c>{name}</c> silently took the first of them (review 39).
/// </summary>
public sealed class DuplicateColumnTests
{
    [Fact(Timeout = 60_000)]
    public async Task NamedField_OfADuplicatedCsvColumn_IsAUsageError_NamingTheColumns()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.File("in.csv"), "a,b,a\n1,2,3\n");

        var (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.csv"), "-x", "echo {a}", "-o", dir.File("out.txt"), "-q");

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal("brigade: --exec: {a} is ambiguous: the CSV header has 2 columns named 'a' (columns 1, 3); give the column's number ({1})", stderr.Trim());
        Assert.False(File.Exists(dir.File("out.txt")), "nothing is created before the command is checked");

        (code, stdout, stderr) = await CliRunner.RunAsync("run", dir.File("in.csv"), "-x", "echo {b} {3}", "-q");
        Assert.True(code == 0, stderr);
        Assert.Equal("2 3\n", stdout);
    }
}
