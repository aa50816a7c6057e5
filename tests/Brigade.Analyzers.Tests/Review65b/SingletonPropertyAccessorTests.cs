using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review65b;

// Review 65b: a singleton's property is a method too. `clock.Now`, whose getter does `_calls++`, and `counter.Reads`
// (`public int Reads => _reads++;`) on a singleton injected into a controller action loses updates as `counter.Record()`
// does, but only methods were followed: not reported. Now a property read or written on an injected singleton has its
// accessor read one level, as a method is (the class registered, for an interface): the getter for a read, the setter for
// an assignment (`++`/`+=` on the property are its own writes, reported as before). Not reported, and right: a getter
// that only reads, a getter under a lock, a setter that only stores `value`, an auto-property read, `nameof`, and a getter
// that fills a cache on first read (`=> _regex ??= new Regex(...)`, `if (_name == null) _name = ...`): racing threads
// store equal values, the benign race .NET itself uses; a setter that compares before storing `value`
// (`if (_motd == value) return; _motd = value;`): the last writer wins, as a setter means. Also: `_header ??= "constant"` in a singleton's method loses nothing
// (every thread stores the same constant) and was reported; a `??=` of a constant is no longer reported.
public sealed class SingletonPropertyAccessorTests
{
    [Fact]
    public Task Reports_singleton_accessors_that_write_unguarded() => Verifier.AnalyzerAsync(
        """
        namespace Microsoft.Extensions.DependencyInjection
        {
            public interface IServiceCollection { }
            public static class ServiceCollectionServiceExtensions
            {
                public static IServiceCollection AddSingleton<TService>(this IServiceCollection services) where TService : class => services;
                public static IServiceCollection AddSingleton<TService, TImplementation>(this IServiceCollection services) where TService : class where TImplementation : class, TService => services;
            }
        }
        namespace Microsoft.AspNetCore.Mvc { public abstract class ControllerBase { } }
        namespace Shop
        {
            using Microsoft.AspNetCore.Mvc;
            using Microsoft.Extensions.DependencyInjection;

            interface IClock { DateTime Now { get; } }

            sealed class CountingClock : IClock
            {
                int _calls;
                public DateTime Now { get { _calls++; return DateTime.UtcNow; } }
            }

            sealed class Counter
            {
                readonly object _gate = new();
                int _reads, _safe, _hits, _changes;
                string? _header;
                public int Total { get; set; }
                public int Reads => _reads++;
                public int Safe { get { lock (_gate) { return _safe++; } } }
                public int Hits { get => _hits; set => _hits = value; }
                public int Tracked { get => _hits; set { _hits = value; _changes++; } }
                string _motd = "";
                public string Motd { get => _motd; set { if (_motd == value) return; _motd = value; } }
                public int Plain => _hits;
                System.Text.RegularExpressions.Regex? _regex;
                public System.Text.RegularExpressions.Regex Pattern => _regex ??= new System.Text.RegularExpressions.Regex("a+");
                string? _name;
                public string Name { get { if (_name == null) _name = Environment.MachineName; return _name; } }
                int _seen;
                public int Seen { get { _seen = _seen + 1; return _seen; } }
                readonly Dictionary<string, int> _byName = new();
                public int Entry { get { _byName["x"] = 1; return 1; } }
                public string Header() => _header ??= "built once";
                public List<int> Cache() => _list ??= new List<int>();
                List<int>? _list;
            }

            static class Startup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddSingleton<IClock, CountingClock>();
                    services.AddSingleton<Counter>();
                }
            }

            sealed class ReportsController(IClock clock, Counter counter) : ControllerBase
            {
                public DateTime Now() => {|#0:clock.Now|};

                public int Get()
                {
                    var r = {|#1:counter.Reads|};
                    var s = counter.Safe;
                    var p = counter.Plain;
                    var t = counter.Total;
                    var pattern = counter.Pattern;
                    var name = counter.Name;
                    var seen = {|#4:counter.Seen|};
                    var entry = {|#5:counter.Entry|};
                    var text = nameof(counter.Reads);
                    counter.Hits = 5;
                    {|#2:counter.Tracked = 6|};
                    counter.Motd = "hello";
                    counter.Header();
                    {|#3:counter.Cache()|};
                    [|counter.Total += 1|];
                    return r + s + p + t;
                }
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("_calls", "incremented by the singleton's property CountingClock.Now, read", "ASP.NET Core (controller action ReportsController.Now, one call per request)"),
        Verifier.Diagnostic().WithLocation(1).WithArguments("_reads", "incremented by the singleton's property Counter.Reads, read", "ASP.NET Core (controller action ReportsController.Get, one call per request)"),
        Verifier.Diagnostic().WithLocation(2).WithArguments("_changes", "incremented by the singleton's property Counter.Tracked, set", "ASP.NET Core (controller action ReportsController.Get, one call per request)"),
        Verifier.Diagnostic().WithLocation(4).WithArguments("_seen", "assigned after being read by the singleton's property Counter.Seen, read", "ASP.NET Core (controller action ReportsController.Get, one call per request)"),
        Verifier.Diagnostic().WithLocation(5).WithArguments("_byName[...]", "set through the Dictionary indexer by the singleton's property Counter.Entry, read", "ASP.NET Core (controller action ReportsController.Get, one call per request)"),
        Verifier.Diagnostic().WithLocation(3).WithArguments("_list", "assigned if null (??=) by the singleton's method Counter.Cache, called", "ASP.NET Core (controller action ReportsController.Get, one call per request)"));
}
