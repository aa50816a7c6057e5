using Brigade.Doctor.Corpus;

// Usage: Brigade.Doctor.Corpus <scenario> [--heap-mb N]   (prints "ready" once the scenario is in place; exits when stdin closes)
//        Brigade.Doctor.Corpus --list
// --heap-mb N first fills the managed heap with N MB of live objects (for docs/performance.md's timings on a larger process).
var scenarios = typeof(Scenario).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Scenario)) && !t.IsAbstract)
    .Select(t => (Scenario)Activator.CreateInstance(t)!).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
var heapMb = 0;
if (args.Length == 3 && args[1] == "--heap-mb" && int.TryParse(args[2], out var mb) && mb > 0)
{
    heapMb = mb;
    args = args[..1];
}

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Brigade.Doctor.Corpus <scenario> | --list");
    return 2;
}

if (args[0] == "--list")
{
    foreach (var s in scenarios)
    {
        Console.WriteLine($"{s.Name,-28} {s.Expected.Finding}");
    }

    return 0;
}

var scenario = scenarios.FirstOrDefault(s => s.Name == args[0]);
if (scenario is null)
{
    Console.Error.WriteLine($"unknown scenario '{args[0]}'");
    return 2;
}

var ballast = Ballast.Allocate(heapMb);
scenario.Start();
Console.WriteLine("ready");
Console.Out.Flush();
Console.In.ReadToEnd();
GC.KeepAlive(ballast);
return 0;
