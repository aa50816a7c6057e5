using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review64b;

// Review 64b: SignalR makes a hub instance per call and gRPC (grpc-dotnet) a service instance per call by default, so
// their instance fields are not shared; but calls of many connections run at once, and a static field is shared by all
// of them: `s_connected++` in `OnConnectedAsync` or `s_total++` in an override of a generated gRPC base loses updates.
// Neither was reported (hub and service methods were not bodies). Now a hub method (a public method of a class deriving
// from Microsoft.AspNetCore.SignalR.Hub, or Hub<T>, and its OnConnectedAsync/OnDisconnectedAsync) and an override of a
// gRPC server method (a method of a base class marked [BindServiceMethod], or of a `*Base` class nested in a static
// class, taking a Grpc.Core.ServerCallContext) report writes to statics, and to what statics reference, only. Not
// reported, and right: instance fields (per call; an injected singleton's fields too: the registration decides, not
// known here), locals, a lock or Interlocked, a class that is neither, and a hub's private helper. The test references
// have no ASP.NET Core or gRPC: stubs with the frameworks' names stand in for them.
public sealed class HubAndGrpcServiceTests
{
    [Fact]
    public Task Reports_static_updates_in_hub_and_gRPC_methods_but_not_per_call_state() => Verifier.AnalyzerAsync(
        """
        namespace Microsoft.AspNetCore.SignalR
        {
            public abstract class Hub
            {
                public virtual Task OnConnectedAsync() => Task.CompletedTask;
                public virtual Task OnDisconnectedAsync(Exception? exception) => Task.CompletedTask;
            }

            public abstract class Hub<T> : Hub where T : class { }
        }

        namespace Grpc.Core
        {
            public abstract class ServerCallContext { }

            [AttributeUsage(AttributeTargets.Class)]
            public sealed class BindServiceMethodAttribute : Attribute
            {
                public BindServiceMethodAttribute(Type bindType, string bindMethodName) { }
            }
        }

        namespace Chat
        {
            using Microsoft.AspNetCore.SignalR;

            static class Stats { public static int Messages; }

            sealed class Counter { public int Hits; }

            sealed class ChatHub : Hub
            {
                static int s_connected;
                static readonly object s_gate = new();
                static readonly List<string> s_names = new();
                static readonly Counter s_counter = new();
                readonly Counter _injected;
                int _messages;

                public ChatHub(Counter injected) => _injected = injected;

                public override Task OnConnectedAsync()
                {
                    {|#0:s_connected++|};
                    return base.OnConnectedAsync();
                }

                public override Task OnDisconnectedAsync(Exception? exception)
                {
                    [|s_connected--|];
                    return base.OnDisconnectedAsync(exception);
                }

                public Task Send(string user)
                {
                    _messages++;
                    _injected.Hits++;
                    [|Stats.Messages++|];
                    [|s_names.Add(user)|];
                    [|s_counter.Hits++|];
                    var n = 0;
                    n++;
                    return Task.CompletedTask;
                }

                public void Locked()
                {
                    lock (s_gate)
                    {
                        s_connected++;
                    }
                }

                public void Safe() => Interlocked.Increment(ref s_connected);

                void Helper() => s_connected++;
            }

            interface IClient { }

            sealed class TypedHub : Hub<IClient>
            {
                static int s_calls;

                public void Ping() => [|s_calls++|];
            }

            sealed class NotAHub
            {
                static int s_calls;

                public void Ping() => s_calls++;
            }
        }

        namespace Greet
        {
            using Grpc.Core;

            public sealed class HelloRequest { }

            public static partial class Greeter
            {
                [BindServiceMethod(typeof(Greeter), "BindService")]
                public abstract partial class GreeterBase
                {
                    public virtual Task<HelloRequest> SayHello(HelloRequest request, ServerCallContext context) => throw new NotImplementedException();
                }
            }

            // An older plugin's output, without the attribute: the `*Base` class nested in the service's static class.
            public static partial class Legacy
            {
                public abstract partial class LegacyBase
                {
                    public virtual Task<HelloRequest> Call(HelloRequest request, ServerCallContext context) => throw new NotImplementedException();
                }
            }

            sealed class GreeterService : Greeter.GreeterBase
            {
                static long s_total;
                int _calls;

                public override Task<HelloRequest> SayHello(HelloRequest request, ServerCallContext context)
                {
                    _calls++;
                    {|#1:s_total++|};
                    return Task.FromResult(request);
                }
            }

            sealed class LegacyService : Legacy.LegacyBase
            {
                static long s_total;

                public override Task<HelloRequest> Call(HelloRequest request, ServerCallContext context)
                {
                    [|s_total++|];
                    return Task.FromResult(request);
                }
            }

            abstract class Handler
            {
                public abstract Task<HelloRequest> Call(HelloRequest request, ServerCallContext context);
            }

            sealed class NotAService : Handler
            {
                static long s_total;

                public override Task<HelloRequest> Call(HelloRequest request, ServerCallContext context)
                {
                    s_total++;
                    return Task.FromResult(request);
                }
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("s_connected", "incremented", "SignalR (hub method ChatHub.OnConnectedAsync, one call per invocation)"),
        Verifier.Diagnostic().WithLocation(1).WithArguments("s_total", "incremented", "gRPC (service method GreeterService.SayHello, one call per request)"));
}
