using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review66c;

// Review 66c. A SignalR hub class registered itself as a singleton (`services.AddSingleton<CountingHub>()`) is one
// instance for every invocation: SignalR's DefaultHubActivator<THub>.Create() asks the container for THub first
// (`_serviceProvider.GetService<THub>()`) and makes a new hub only when it has none (dotnet/aspnetcore,
// src/SignalR/server/Core/src/Internal/DefaultHubActivator.cs), as grpc-dotnet does for a service (review 66b). Its hub
// methods' writes to its own fields were read as per invocation (SignalR's default, "hubs are transient") and not
// reported. Not reported, and right: the same writes in a hub not registered, or registered for an interface only (the
// activator asks for the class), or registered as scoped (a scope per invocation); a write under a lock; a local.
public sealed class SignalRSingletonHubTests
{
    [Fact]
    public Task Reports_field_writes_of_a_hub_registered_as_a_singleton() => Verifier.AnalyzerAsync(
        """
        namespace Microsoft.Extensions.DependencyInjection
        {
            public interface IServiceCollection { }
            public static class ServiceCollectionServiceExtensions
            {
                public static IServiceCollection AddSingleton<TService>(this IServiceCollection services) where TService : class => services;
                public static IServiceCollection AddSingleton<TService, TImplementation>(this IServiceCollection services) where TService : class where TImplementation : class, TService => services;
                public static IServiceCollection AddScoped<TService>(this IServiceCollection services) where TService : class => services;
            }
        }
        namespace Microsoft.AspNetCore.SignalR
        {
            public abstract class Hub
            {
                public virtual Task OnConnectedAsync() => Task.CompletedTask;
                public virtual Task OnDisconnectedAsync(Exception? exception) => Task.CompletedTask;
            }

            public abstract class Hub<T> : Hub where T : class { }
        }
        namespace Chat
        {
            using Microsoft.AspNetCore.SignalR;
            using Microsoft.Extensions.DependencyInjection;

            static class Startup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddSingleton<CountingHub>();
                    services.AddSingleton<TypedHub>();
                    services.AddSingleton<IHubLike, InterfaceHub>();
                    services.AddScoped<ScopedHub>();
                }
            }

            public interface IChatClient { Task Receive(string text); }

            public sealed class CountingHub : Hub
            {
                private readonly object _gate = new();
                private readonly List<string> _names = new();
                private int _messages;
                private int _locked;
                private int _online;

                public Task Send(string user)
                {
                    {|#0:_messages++|};
                    {|#1:_names.Add(user)|};
                    lock (_gate) { _locked++; }
                    var n = 0;
                    n++;
                    return Task.CompletedTask;
                }

                public override Task OnConnectedAsync()
                {
                    {|#2:_online++|};
                    return Task.CompletedTask;
                }
            }

            public sealed class TypedHub : Hub<IChatClient>
            {
                private int _messages;

                public void Send() => {|#3:_messages++|};
            }

            public interface IHubLike { }

            // SignalR asks the container for the hub class, not the interface: a hub per invocation.
            public sealed class InterfaceHub : Hub, IHubLike
            {
                private int _messages;

                public void Send() => _messages++;
            }

            public sealed class ScopedHub : Hub
            {
                private int _messages;

                public void Send() => _messages++;
            }

            public sealed class PerCallHub : Hub
            {
                private readonly List<string> _names = new();
                private int _messages;

                public void Send(string user)
                {
                    _messages++;
                    _names.Add(user);
                }
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("_messages", "incremented", Where("CountingHub.Send")),
        Verifier.Diagnostic().WithLocation(1).WithArguments("_names", "modified through List.Add (not thread-safe)", Where("CountingHub.Send")),
        Verifier.Diagnostic().WithLocation(2).WithArguments("_online", "incremented", Where("CountingHub.OnConnectedAsync")),
        Verifier.Diagnostic().WithLocation(3).WithArguments("_messages", "incremented", Where("TypedHub.Send")));

    private static string Where(string method) => "SignalR (hub method " + method + " of a hub registered as a singleton, every invocation at once)";
}
