using Microsoft.CodeAnalysis;

namespace Brigade.Analyzers;

/// <summary>
/// Methods a framework calls on an instance made for the call, many calls at once (review 64b): a SignalR hub method
/// (SignalR makes a hub per invocation, "hubs are transient", unless the hub class is registered in the container: its
/// DefaultHubActivator takes that one, review 66c), a gRPC service method (grpc-dotnet makes a service
/// per call unless it is registered otherwise) and, since review 65, an MVC controller action (a controller per request). Their instance fields are the call's own; static fields, and what they
/// reference, are shared by every call. Recognised by name: a library's references, and the tests', have neither
/// framework.
/// </summary>
internal static class PerCallServices
{
    /// <summary>Names what runs a method per call, for messages, when it is a hub method, a controller action or a gRPC service method.</summary>
    /// <param name="method">A method with a body.</param>
    /// <returns>The framework and method, or null.</returns>
    public static string? Of(IMethodSymbol method) =>
        Describe(method) is not { } found ? null
        : found.Framework + " (" + found.What + (found.Framework == "SignalR" ? ", one call per invocation)" : ", one call per request)");

    /// <summary>Finds the framework that calls a method per call and what the method is to it, such as ("SignalR", "hub method ChatHub.Send").</summary>
    /// <param name="method">A method with a body.</param>
    /// <returns>The framework and what the method is, or null.</returns>
    public static (string Framework, string What)? Describe(IMethodSymbol method)
    {
        if (method.MethodKind != MethodKind.Ordinary || method.IsStatic || method.ContainingType is not { } type)
        {
            return null;
        }

        var name = type.Name + "." + method.Name;
        if (method.DeclaredAccessibility == Accessibility.Public && IsHub(type)
            && (!method.IsOverride || method.Name is "OnConnectedAsync" or "OnDisconnectedAsync"))
        {
            // Every public method is one a client may invoke; OnConnectedAsync/OnDisconnectedAsync run per connection.
            return ("SignalR", "hub method " + name);
        }

        if (IsAction(method, type))
        {
            // Review 65: MVC makes a controller per request too; its public methods are actions unless [NonAction].
            return ("ASP.NET Core", "controller action " + name);
        }

        return method.IsOverride && IsGrpcServerMethod(method) ? ("gRPC", "service method " + name) : null;
    }

    // A public instance method, not an override, Dispose() or [NonAction], of a concrete class deriving from
    // Microsoft.AspNetCore.Mvc.ControllerBase (Controller derives from it).
    private static bool IsAction(IMethodSymbol method, INamedTypeSymbol type)
    {
        // Dispose() is not an action (MVC leaves it out); MVC disposes of the controller once, after the request.
        if (method.DeclaredAccessibility != Accessibility.Public || method.IsOverride || type.IsAbstract || method.IsGenericMethod
            || (method.Name == "Dispose" && method.Parameters.IsEmpty) || !IsController(type))
        {
            return false;
        }

        foreach (var attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass?.Name == "NonActionAttribute")
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsController(INamedTypeSymbol type)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.Name == "ControllerBase" && IsIn(current, "Microsoft.AspNetCore.Mvc"))
            {
                return true;
            }
        }

        return false;
    }

    // Microsoft.AspNetCore.SignalR.Hub, or Hub<T>, which derives from it, as a base type.
    private static bool IsHub(INamedTypeSymbol type)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.Name == "Hub" && current.Arity == 0 && IsIn(current, "Microsoft.AspNetCore.SignalR"))
            {
                return true;
            }
        }

        return false;
    }

    // An override of a method of the base class protoc's C# plugin generates (`Greeter.GreeterBase`): it takes a
    // Grpc.Core.ServerCallContext, and its class is marked [BindServiceMethod] (Grpc.Core.Api 2.x and later) or, from an
    // older plugin, is an abstract `*Base` class nested in the service's static class.
    private static bool IsGrpcServerMethod(IMethodSymbol method)
    {
        var original = method;
        while (original.OverriddenMethod is { } overridden)
        {
            original = overridden;
        }

        var hasContext = false;
        foreach (var parameter in original.Parameters)
        {
            hasContext |= parameter.Type.Name == "ServerCallContext" && IsIn(parameter.Type, "Grpc.Core");
        }

        var type = original.ContainingType;
        if (!hasContext || type is null)
        {
            return false;
        }

        foreach (var attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "BindServiceMethodAttribute" } attributeClass && IsIn(attributeClass, "Grpc.Core"))
            {
                return true;
            }
        }

        return type.IsAbstract && type.Name.EndsWith("Base", StringComparison.Ordinal) && type.ContainingType is { IsStatic: true };
    }

    private static bool IsIn(ISymbol symbol, string ns) => symbol.ContainingNamespace?.ToDisplayString() == ns;
}
