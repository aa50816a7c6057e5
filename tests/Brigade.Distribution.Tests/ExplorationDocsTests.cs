using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Brigade.Testing;

namespace Brigade.Distribution.Tests;

/// <summary>The exploration example of docs/pitfalls.md shows what its seed really gives.</summary>
public sealed class ExplorationDocsTests
{
    [Fact]
    public void PitfallsExplorationExample_ShowsTheScheduleAndReplaySeedThatSeed42Gives()
    {
        var snippet = Assert.Single(Snippet.All(), s => s.File == "docs/pitfalls.md" && s.Code.Contains("Seed = 42", StringComparison.Ordinal));
        var claimed = Regex.Match(snippet.Code, @"ThrowIfBugFound\(\);\s*//\s*\.\.\.\s*(?<tail>Found by schedule .*)$", RegexOptions.Multiline);
        Assert.True(claimed.Success, $"{snippet}: the ThrowIfBugFound() line's comment should show the end of the message ('... Found by schedule N ...')");
        var replay = Regex.Match(snippet.Code, @"Explorer\.Replay\(Test, ""(?<seed>[^""]+)""\)");
        Assert.True(replay.Success, $"{snippet}: no Explorer.Replay(Test, \"...\") line");

        var (errors, image) = SnippetCompiler.Compile(snippet);
        Assert.True(image is not null, string.Join('\n', errors));
        var context = new AssemblyLoadContext("pitfalls-snippet", isCollectible: true);
        try
        {
            var entry = context.LoadFromStream(new MemoryStream(image)).EntryPoint!;
            var thrown = Assert.Throws<TargetInvocationException>(() => entry.Invoke(null, [Array.Empty<string>()]));
            var failure = Assert.IsType<ExplorationFailedException>(thrown.InnerException);
            var bug = failure.Bug!;
            var actual = $"Found by schedule {bug.Schedule} after {bug.Steps} steps; replay it with seed {bug.ReplaySeed}.";
            Assert.True(actual == claimed.Groups["tail"].Value.Trim(), $"{snippet}: the comment should end with '{actual}'");
            Assert.Equal(bug.ReplaySeed, replay.Groups["seed"].Value);
        }
        finally
        {
            context.Unload();
        }
    }
}
