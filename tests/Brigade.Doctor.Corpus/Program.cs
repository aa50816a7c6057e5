using Brigade.Doctor.Corpus;

// Usage: Brigade.Doctor.Corpus <scenario>   (prints "ready" once the scenario is in place; exits when stdin closes)
//        Brigade.Doctor.Corpus --list
var scenarios = typeof(Scenario).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(Scenario)) && !t.IsAbstract)
    .Select(t => (Scenario)Activator.CreateInstance(t)!).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
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

scenario.Start();
Console.WriteLine("ready");
Console.Out.Flush();
Console.In.ReadToEnd();
return 0;
