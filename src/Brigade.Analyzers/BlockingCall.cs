using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Brigade.Analyzers;

/// <summary>Recognises calls that block their thread: synchronous waits, sleeps and synchronous I/O, by symbol.</summary>
internal static class BlockingCall
{
    /// <summary>What kind of blocking call an operation is, which decides the code fix.</summary>
    public enum Kind
    {
        /// <summary>Not blocking.</summary>
        None,

        /// <summary><c>task.Result</c> (Task&lt;T&gt; or ValueTask&lt;T&gt;).</summary>
        Result,

        /// <summary><c>task.Wait()</c> with no arguments.</summary>
        Wait,

        /// <summary><c>task.GetAwaiter().GetResult()</c>.</summary>
        GetResult,

        /// <summary><c>Task.WaitAll(...)</c>.</summary>
        WaitAll,

        /// <summary><c>Thread.Sleep(...)</c>.</summary>
        Sleep,

        /// <summary>A synchronous method with an asynchronous twin on the same type (<c>File.ReadAllText</c>, <c>SemaphoreSlim.Wait</c>).</summary>
        HasAsyncTwin,

        /// <summary>Another blocking call, with no mechanical fix.</summary>
        Other,
    }

    /// <summary>Classifies a property reference or an invocation.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="known">The known types.</param>
    /// <param name="name">The name to show, such as <c>Task.Result</c>.</param>
    /// <returns>The kind, <see cref="Kind.None"/> if it does not block.</returns>
    public static Kind Classify(IOperation operation, KnownSymbols known, out string name)
    {
        name = "";
        switch (operation)
        {
            case IPropertyReferenceOperation { Property.Name: "Result" } property
                when KnownSymbols.IsOrDerives(property.Property.ContainingType, known.TaskOfT) || KnownSymbols.Is(property.Property.ContainingType, known.ValueTaskOfT):
                name = property.Property.ContainingType.Name + ".Result";
                return Kind.Result;
            case IInvocationOperation invocation:
                return ClassifyInvocation(invocation, known, out name);
            default:
                return Kind.None;
        }
    }

    private static Kind ClassifyInvocation(IInvocationOperation invocation, KnownSymbols known, out string name)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType;
        name = type.Name + "." + method.Name;
        var ns = type.ContainingNamespace?.ToDisplayString() ?? "";

        if (KnownSymbols.Is(type, known.Task) || KnownSymbols.Is(type, known.TaskOfT))
        {
            switch (method.Name)
            {
                case "Wait" when !HasZeroTimeout(invocation):
                    return method.Parameters.Length == 0 ? Kind.Wait : Kind.Other;
                case "WaitAll" when !HasZeroTimeout(invocation):
                    return method.Parameters.Length == 1 ? Kind.WaitAll : Kind.Other;
                case "WaitAny" when !HasZeroTimeout(invocation):
                    return Kind.Other;
            }

            return Kind.None;
        }

        if (method.Name == "GetResult" && type.Name.EndsWith("Awaiter", StringComparison.Ordinal) && ns == "System.Runtime.CompilerServices")
        {
            name = "GetAwaiter().GetResult()";
            return Kind.GetResult;
        }

        if (KnownSymbols.Is(type, known.Thread))
        {
            switch (method.Name)
            {
                case "Sleep" when !HasZeroTimeout(invocation):
                    return Kind.Sleep;
                case "Join":
                    return Kind.Other;
            }

            return Kind.None;
        }

        // Synchronization waits: a wait of zero only tries.
        if (ns == "System.Threading" && !HasZeroTimeout(invocation))
        {
            switch (type.Name, method.Name)
            {
                // Review 70: every overload of SemaphoreSlim.Wait has WaitAsync with the same parameters, returning Task
                // for void and Task<bool> for bool: awaiting it is the same call, so the code fix offers it.
                case ("SemaphoreSlim", "Wait"):
                    return HasAsyncTwin(method) ? Kind.HasAsyncTwin : Kind.Other;
                case ("ManualResetEventSlim", "Wait"):
                case ("CountdownEvent", "Wait"):
                case ("Barrier", "SignalAndWait"):
                case ("WaitHandle", "WaitOne" or "WaitAll" or "WaitAny"):
                // Review 56: a condition wait holds its pool thread until another thread pulses (disruptor-net's
                // BlockingWaitStrategy run through Task.Run was not reported).
                case ("Monitor", "Wait"):
                    return Kind.Other;
            }

            if (method.Name == "WaitOne" && DerivesFrom(type, "System.Threading", "WaitHandle"))
            {
                name = "WaitHandle.WaitOne";
                return Kind.Other;
            }
        }

        // Review 56: a consumer taking from a BlockingCollection blocks its thread until an item comes (TryTake without a
        // timeout only tries; with one, it waits that long).
        if (ns == "System.Collections.Concurrent" && type.Name == "BlockingCollection" && !HasZeroTimeout(invocation))
        {
            switch (method.Name)
            {
                case "Take" or "GetConsumingEnumerable":
                case "TryTake" when HasTimeoutParameter(method):
                case "TakeFromAny":
                case "TryTakeFromAny" when HasTimeoutParameter(method):
                    return Kind.Other;
            }
        }

        return IsBlockingIo(method, invocation, ns) ? (HasAsyncTwin(method) ? Kind.HasAsyncTwin : Kind.Other) : Kind.None;
    }

    private static bool IsBlockingIo(IMethodSymbol method, IInvocationOperation invocation, string ns)
    {
        var type = method.ContainingType;
        switch (ns)
        {
            case "System.IO" when type.Name == "File":
                return method.Name is "ReadAllText" or "ReadAllBytes" or "ReadAllLines" or "WriteAllText" or "WriteAllBytes" or "WriteAllLines" or "AppendAllText" or "AppendAllLines";
            case "System.IO" when type.Name is "Stream" or "FileStream" or "BufferedStream":
                return method.Name is "Read" or "Write" or "CopyTo" or "Flush" or "ReadExactly" or "ReadAtLeast"
                    && invocation.Instance?.Type is { } streamType
                    && (DerivesFrom(streamType, "System.IO", "FileStream") || DerivesFrom(streamType, "System.Net.Sockets", "NetworkStream") || DerivesFrom(streamType, "System.IO.Pipes", "PipeStream"));
            case "System.IO" when type.Name is "StreamReader" or "TextReader":
                return method.Name is "ReadToEnd" or "ReadLine" && invocation.Instance?.Type is { } readerType && DerivesFrom(readerType, "System.IO", "StreamReader");
            case "System.Net.Sockets":
                return (type.Name, method.Name) is ("Socket", "Connect" or "Accept" or "Receive" or "Send" or "ReceiveFrom" or "SendTo" or "Disconnect")
                    or ("TcpClient", "Connect") or ("TcpListener", "AcceptTcpClient" or "AcceptSocket") or ("UdpClient", "Receive" or "Send");
            case "System.Net.Http":
                return type.Name == "HttpClient" && method.Name == "Send";
            case "System.Net":
                return (type.Name, method.Name) is ("Dns", "GetHostEntry" or "GetHostAddresses") or ("WebRequest" or "HttpWebRequest", "GetResponse" or "GetRequestStream")
                    || (type.Name == "WebClient" && !method.Name.EndsWith("Async", StringComparison.Ordinal) && (method.Name.StartsWith("Download", StringComparison.Ordinal) || method.Name.StartsWith("Upload", StringComparison.Ordinal) || method.Name.StartsWith("Open", StringComparison.Ordinal)));
            case "System.Diagnostics":
                return type.Name == "Process" && method.Name == "WaitForExit" && method.Parameters.Length == 0;
            default:
                return false;
        }
    }

    /// <summary>Tests whether the method's type has <c>NameAsync</c> taking the same parameters first.</summary>
    /// <param name="method">The synchronous method.</param>
    /// <returns>True if the twin exists.</returns>
    public static bool HasAsyncTwin(IMethodSymbol method) => FindAsyncTwin(method) is not null;

    /// <summary>Finds <c>NameAsync</c> on the method's type taking the same parameters first (then, optionally, a token).</summary>
    /// <param name="method">The synchronous method.</param>
    /// <returns>The twin, or null.</returns>
    public static IMethodSymbol? FindAsyncTwin(IMethodSymbol method)
    {
        foreach (var member in method.ContainingType.GetMembers(method.Name + "Async"))
        {
            // The twin must return something to await: WebClient.DownloadStringAsync (the event-based pattern) returns void.
            if (member is IMethodSymbol twin && twin.IsStatic == method.IsStatic && twin.Parameters.Length >= method.Parameters.Length && IsAwaitable(twin.ReturnType))
            {
                var same = true;
                for (var i = 0; i < method.Parameters.Length && same; i++)
                {
                    same = SymbolEqualityComparer.Default.Equals(twin.Parameters[i].Type, method.Parameters[i].Type);
                }

                for (var i = method.Parameters.Length; i < twin.Parameters.Length && same; i++)
                {
                    same = twin.Parameters[i].IsOptional;
                }

                if (same)
                {
                    return twin;
                }
            }
        }

        return null;
    }

    // Task, ValueTask and any type with an instance GetAwaiter() (the awaitable pattern, without extension methods).
    private static bool IsAwaitable(ITypeSymbol type)
    {
        if (type.SpecialType == SpecialType.System_Void)
        {
            return false;
        }

        for (var t = type; t is not null; t = t.BaseType)
        {
            foreach (var member in t.GetMembers("GetAwaiter"))
            {
                if (member is IMethodSymbol { IsStatic: false, Parameters.Length: 0, ReturnsVoid: false })
                {
                    return true;
                }
            }
        }

        return false;
    }

    // An int (milliseconds) or TimeSpan parameter: TryTake(out item, 100), TryTake(out item, TimeSpan, CancellationToken).
    private static bool HasTimeoutParameter(IMethodSymbol method)
    {
        foreach (var parameter in method.Parameters)
        {
            if (parameter.Type.SpecialType == SpecialType.System_Int32 && parameter.Name.Contains("millisecond", StringComparison.OrdinalIgnoreCase)
                || parameter.Type is { Name: "TimeSpan", ContainingNamespace.Name: "System" })
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasZeroTimeout(IInvocationOperation invocation)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                continue;
            }

            var value = Operations.SkipConversions(argument.Value);
            if (value.ConstantValue is { HasValue: true, Value: 0 or 0L })
            {
                return true;
            }

            if (value is IFieldReferenceOperation { Field.Name: "Zero" } or IPropertyReferenceOperation { Property.Name: "Zero" } && value.Type?.Name == "TimeSpan")
            {
                return true;
            }
        }

        return false;
    }

    private static bool DerivesFrom(ITypeSymbol type, string ns, string name)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.Name == name && t.ContainingNamespace?.ToDisplayString() == ns)
            {
                return true;
            }
        }

        return false;
    }
}
