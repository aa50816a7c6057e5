using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review66b;

// Review 66b. A gRPC service class registered itself as a singleton (`services.AddSingleton<CountingGreeter>()`, then
// `app.MapGrpcService<CountingGreeter>()`: grpc-dotnet takes the service from the container when it is registered there)
// is one instance for every call, but its service methods' writes to its own fields were read as per call (grpc-dotnet's
// default: a service per call) and not reported. Not reported, and right: the same writes in a service not registered (per
// call) or registered for an interface only (grpc-dotnet asks the container for the class), a write under a
// lock, a local.
public sealed class GrpcSingletonServiceTests
{
    [Fact]
    public Task Reports_field_writes_of_a_gRPC_service_registered_as_a_singleton() => Verifier.AnalyzerAsync(
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
        namespace Grpc.Core
        {
            public abstract class ServerCallContext { }
            [AttributeUsage(AttributeTargets.Class)]
            public sealed class BindServiceMethodAttribute : Attribute { public BindServiceMethodAttribute(Type bindType, string bindMethodName) { } }
        }
        namespace Greet
        {
            using Grpc.Core;
            public sealed class HelloRequest { public string Name { get; set; } = ""; }
            public sealed class HelloReply { public string Message { get; set; } = ""; }
            public static partial class Greeter
            {
                [BindServiceMethod(typeof(Greeter), "BindService")]
                public abstract partial class GreeterBase
                {
                    public virtual Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context) => throw new NotImplementedException();
                }
            }
        }
        namespace Shop
        {
            using Greet;
            using Grpc.Core;
            using Microsoft.Extensions.DependencyInjection;

            static class Startup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddSingleton<CountingGreeter>();
                    services.AddSingleton<IGreeterLike, InterfaceGreeter>();
                }
            }

            public sealed class CountingGreeter : Greeter.GreeterBase
            {
                private readonly object _gate = new();
                private readonly List<string> _seen = new();
                private int _calls;
                private int _locked;

                public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context)
                {
                    {|#0:_calls++|};
                    {|#1:_seen.Add(request.Name)|};
                    lock (_gate) { _locked++; }
                    var n = 0;
                    n++;
                    return Task.FromResult(new HelloReply { Message = request.Name + n });
                }
            }

            public interface IGreeterLike { }

            // grpc-dotnet asks the container for the class, not the interface: a service per call.
            public sealed class InterfaceGreeter : Greeter.GreeterBase, IGreeterLike
            {
                private int _calls;

                public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context)
                {
                    _calls++;
                    return Task.FromResult(new HelloReply());
                }
            }

            public sealed class PerCallGreeter : Greeter.GreeterBase
            {
                private readonly List<string> _seen = new();
                private int _calls;

                public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context)
                {
                    _calls++;
                    _seen.Add(request.Name);
                    return Task.FromResult(new HelloReply { Message = request.Name });
                }
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("_calls", "incremented", Where),
        Verifier.Diagnostic().WithLocation(1).WithArguments("_seen", "modified through List.Add (not thread-safe)", Where));

    private const string Where = "gRPC (service method CountingGreeter.SayHello of a service registered as a singleton, every call at once)";
}
