using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review39b;

/// <summary>
/// <c>{//}</c> is GNU parallel's, which is POSIX <c>dirname</c> (File::Basename): <c>{//}</c> of <c>dir/sub/</c> was
/// <c>dir/sub</c> (.NET's GetDirectoryName takes the trailing slash for an empty last name) where parallel and
/// <c>dirname</c> give <c>dir</c>, and <c>{//}</c> of <c>/</c> was <c>.</c>. Each row is what GNU parallel 20221122 and
/// coreutils <c>dirname</c> print (leftover of review 39).
/// </summary>
public sealed class DirnamePlaceholderTests
{
    [Theory]
    [InlineData("dir/sub/", "dir")]
    [InlineData("dir/sub//", "dir")]
    [InlineData("/a/b/", "/a")]
    [InlineData("/", "/")]
    [InlineData("//", "/")]
    [InlineData("///a//", "/")]
    [InlineData("/a", "/")]
    [InlineData("a//b", "a")]
    [InlineData("a", ".")]
    [InlineData("./x", ".")]
    [InlineData("dir/sub/photo.tar.gz", "dir/sub")]
    public void DirectoryPlaceholder_IsWhatDirnameAndGnuParallelGive(string item, string expected)
    {
        Assert.Equal($"echo {expected}", CommandTemplate.Parse("echo {//}").Render(new InputItem(0, 1, item)));
    }
}
