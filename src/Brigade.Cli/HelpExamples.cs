using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Brigade.Cli;

/// <summary>The "Examples:" section at the end of each command's help page.</summary>
internal static class HelpExamples
{
    private static readonly Dictionary<string, string[]> ByCommand = new(StringComparer.Ordinal)
    {
        ["brigade"] =
        [
            "brigade demo --quick                                   # the classic experiments, measured live",
            "brigade run urls.txt -x 'curl -fsS {} | wc -c' -o sizes.txt",
            "brigade advise                                         # auto mode beside the alternatives",
            "brigade run --help                                     # more on a command",
        ],
        ["run"] =
        [
            "brigade run urls.txt -x 'curl -fsS -o pages/{#}.html {}' -o done.txt    # resumable: journal beside done.txt",
            "brigade run urls.txt -x 'curl -fsS -o pages/{#}.html {}' -o done.txt --resume",
            "seq 100 | brigade run - -x 'sleep 0.1; echo {}' -j 8                     # stdin, 8 at a time",
            "brigade run photos.txt -x 'convert {} -resize 50% small/{/}' --report run.html",
            "brigade run people.jsonl --assembly bin/Release/net10.0/MyWork.dll --work MyWork.Greet --engine processes",
        ],
        ["demo"] =
        [
            "brigade demo                                           # every scene (about 65 s on 2 cores)",
            "brigade demo --quick --only cpu-bound,race --report demo.html",
            "brigade demo --list",
            "brigade demo --json > demo.json",
        ],
        ["advise"] =
        [
            "brigade advise                                         # the built-in workloads",
            "brigade advise --assembly bin/Release/net10.0/MyWork.dll --work MyWork.Parse --input items.jsonl",
        ],
        ["silo"] =
        [
            "brigade silo                                           # loopback, ports 11111/30000",
            "brigade silo --port 11112 --gateway-port 30001         # a second silo joins the first",
            "brigade silo --address 10.0.0.11 --membership redis://10.0.0.5:6379 --cluster-id prod --assembly MyWork.dll",
        ],
        ["cluster"] =
        [
            "brigade cluster status --membership redis://10.0.0.5:6379 --cluster-id prod",
            "brigade cluster status --gateway 30000                 # silos on this machine",
            "brigade cluster schema postgres | psql -h db -U admin brigade",
        ],
        ["status"] =
        [
            "brigade cluster status --membership redis://10.0.0.5:6379 --cluster-id prod",
            "brigade cluster status --membership postgres://brigade@db/brigade --tls-cert client.pfx --tls-ca ca.pem",
        ],
        ["schema"] =
        [
            "brigade cluster schema postgres > orleans-tables.sql",
        ],
        ["doctor"] =
        [
            "brigade doctor --pid 4242                              # why is process 4242 stuck?",
            "brigade doctor MyService                               # the one running .NET process named MyService (or dotnet MyService.dll)",
            "brigade doctor --pid 4242 --json > diagnosis.json",
            "brigade doctor --dump core.4242                        # a dump taken elsewhere (dotnet-dump collect, createdump)",
            "brigade doctor --pid 4242 --keep-dump stuck.dmp",
        ],
    };

    /// <summary>Adds the examples to the help pages of <paramref name="root"/> and its commands.</summary>
    public static void Attach(RootCommand root)
    {
        if (root.Options.OfType<HelpOption>().FirstOrDefault() is { Action: HelpAction help } option)
        {
            option.Action = new WithExamples(help);
        }
    }

    /// <summary>The default help page, then the command's examples.</summary>
    private sealed class WithExamples(HelpAction help) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var result = help.Invoke(parseResult);
            var command = parseResult.CommandResult.Command;
            if (ByCommand.TryGetValue(command is RootCommand ? "brigade" : command.Name, out var examples))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (var example in examples)
                {
                    output.WriteLine("  " + example);
                }

                output.WriteLine();
            }

            return result;
        }
    }
}
