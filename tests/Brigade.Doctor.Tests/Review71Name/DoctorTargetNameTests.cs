using Brigade.Cli.Commands;

namespace Brigade.Doctor.Tests.Review71Name;

/// <summary>Review 71: which process a name names (<see cref="DoctorTarget.Matches"/>), from what /proc says of it; no process.</summary>
public sealed class DoctorTargetNameTests
{
    [Theory]
    // The process's name: its comm, ignoring case as Process.GetProcessesByName does.
    [InlineData("Hangs", "Hangs", "/opt/hangs/Hangs", new[] { "./Hangs", "sleep" }, true)]
    [InlineData("hangs", "Hangs", "/opt/hangs/Hangs", new[] { "./Hangs" }, true)]
    [InlineData("Hang", "Hangs", "/opt/hangs/Hangs", new[] { "./Hangs" }, false)]
    // The kernel keeps 15 characters: the executable's (or the command's) file name that begins with them is the name.
    [InlineData("Brigade.Doctor.Corpus", "Brigade.Doctor.", "/x/Brigade.Doctor.Corpus", new[] { "/x/Brigade.Doctor.Corpus" }, true)]
    [InlineData("Brigade.Doctor.Corpus", "Brigade.Doctor.", null, new[] { "/x/Brigade.Doctor.Corpus", "twin-idle" }, true)]
    [InlineData("Brigade.Doctor.", "Brigade.Doctor.", "/x/Brigade.Doctor.Corpus", new[] { "/x/Brigade.Doctor.Corpus" }, false)]
    // dotnet app.dll, dotnet exec [options] app.dll: the app's name, with or without .dll.
    [InlineData("Shop", "dotnet", "/usr/share/dotnet/dotnet", new[] { "dotnet", "/srv/Shop.dll", "--port", "80" }, true)]
    [InlineData("Shop.dll", "dotnet", "/usr/share/dotnet/dotnet", new[] { "dotnet", "/srv/Shop.dll" }, true)]
    [InlineData("Shop", "dotnet", null, new[] { "dotnet", "exec", "--runtimeconfig", "/srv/Shop.runtimeconfig.json", "/srv/Shop.dll" }, true)]
    [InlineData("dotnet", "dotnet", "/usr/share/dotnet/dotnet", new[] { "dotnet", "/srv/Shop.dll" }, true)]
    [InlineData("Other", "dotnet", "/usr/share/dotnet/dotnet", new[] { "dotnet", "/srv/Shop.dll", "Other.dll" }, false)]
    // An argument that ends in .dll of a program that is not the host is not its name.
    [InlineData("Shop", "Tool", "/opt/Tool", new[] { "/opt/Tool", "Shop.dll" }, false)]
    public void Matches_TheProcessName_OrTheAppOfDotnetAppDll(string name, string comm, string? executable, string[] arguments, bool expected) =>
        Assert.Equal(expected, DoctorTarget.Matches(name, comm, executable, arguments));
}
