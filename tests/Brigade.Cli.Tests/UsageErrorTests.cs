namespace Brigade.Cli.Tests;

public sealed class UsageErrorTests
{
    [Theory]
    [InlineData("demo", "--no-such-option")]
    [InlineData("no-such-command")]
    [InlineData("demo", "--only", "no-such-scene")]
    [InlineData("demo", "--trace", "/no/such/directory/trace.json")]
    [InlineData("demo", "--only", "tiny-tasks,no-such-scene")]
    [InlineData("demo", "--only")]
    [InlineData("demo", "--trace")]
    [InlineData("demo", "--quick", "extra")]
    [InlineData()]
    [InlineData("silo", "--port", "70000")]
    [InlineData("silo", "--address", "not-an-address")]
    [InlineData("silo", "--address", "0.0.0.0")]
    [InlineData("silo", "--port", "30000", "--gateway-port", "30000")]
    [InlineData("silo", "--assembly", "/no/such/work.dll")]
    [InlineData("advise", "--only", "no-such-workload")]
    [InlineData("advise", "--repetitions", "0")]
    [InlineData("advise", "--no-such-option")]
    [InlineData("run", "in.txt", "--exec", "echo {}", "--jobs", "abc")]
    [InlineData("run", "in.txt", "--exec", "echo {}", "-j", "1.5")]
    [InlineData("run", "in.txt", "--exec", "echo {}", "--jobs", "1.5")]
    [InlineData("run", "in.txt", "--exec", "echo {}", "--retries", "abc")]
    [InlineData("run", "in.txt", "--exec", "echo {}", "--retries", "-1")]
    [InlineData("run", "in.txt", "--exec", "echo {}", "--retries", "101")]
    [InlineData("run", "in.txt", "--exec", "echo {}", "--retry-delay", "1s")]
    [InlineData("run", "in.txt", "--exec", "echo {}", "--retries", "2", "--retry-delay", "soon")]
    [InlineData("run", "in.txt", "--exec", "echo {}", "--retries", "2", "--retry-delay", "-1s")]
    [InlineData("run", "in.txt", "--exec", "echo {}", "--timeout", "0")]
    [InlineData("run", "in.txt", "--assembly", "work.dll", "--work", "W", "--engine", "cluster", "--timeout", "5s")]
    [InlineData("run", "in.txt", "--exec", "echo {}", "--engine", "gpu")]
    [InlineData("run", "in.txt", "--exec", "echo {}", "--engine", "processes")]
    [InlineData("run", "in.txt", "--assembly", "work.dll", "--work", "W", "--engine", "cluster", "--retries", "1")]
    public async Task BadInput_PrintsOneLineError_AndExitsWith2(params string[] args)
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync(args);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("brigade: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownCommand_IsNamed_WithTheCommandsThereAre()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("frobnicate");

        Assert.Equal(2, code);
        Assert.StartsWith("brigade: unknown command 'frobnicate'; the commands are demo, run, silo, advise", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DemoList_NamesTheClusterSceneAsOptIn()
    {
        var (code, stdout, _) = await CliRunner.RunAsync("demo", "--list");

        Assert.Equal(0, code);
        Assert.Contains(stdout.Split('\n'), l => l.StartsWith("cluster ", StringComparison.Ordinal) && l.TrimEnd().EndsWith("(opt-in)", StringComparison.Ordinal));
    }

    [Fact]
    public void ClusterScene_RunsOnlyWhenAskedFor()
    {
        Assert.DoesNotContain(Commands.DemoCommand.SelectScenes([]), s => s.Id == "cluster");
        Assert.Contains(Commands.DemoCommand.SelectScenes([], cluster: true), s => s.Id == "cluster");
        Assert.Equal(["cpu-bound", "cluster"], Commands.DemoCommand.SelectScenes(["cpu-bound"], cluster: true).Select(s => s.Id));
        Assert.Equal(["cluster"], Commands.DemoCommand.SelectScenes(["cluster"]).Select(s => s.Id));
    }

    [Fact]
    public async Task DemoList_NamesEveryFoundationScene()
    {
        var (code, stdout, _) = await CliRunner.RunAsync("demo", "--list");

        Assert.Equal(0, code);
        foreach (var id in new[] { "sleeping-task", "blocking-io", "cpu-bound", "tiny-tasks", "auto-mode", "commands" })
        {
            Assert.Contains(id, stdout, StringComparison.Ordinal);
        }
    }
}
