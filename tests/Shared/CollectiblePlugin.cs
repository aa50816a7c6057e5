using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Brigade.TestSupport;

/// <summary>
/// A plugin as a host loads one: an assembly in a collectible <see cref="AssemblyLoadContext"/>, emitted here (no project
/// of its own) and written to a file so that a worker process could load it too. It defines
/// <c>CollectiblePlugin.Payload</c> (a public int field <c>Value</c>) and <c>CollectiblePlugin.Doubler</c>:
/// <c>IWork&lt;Payload, Payload&gt;</c> that doubles <c>Value</c>.
/// </summary>
internal static class CollectiblePlugin
{
    private static readonly Lock Gate = new();
    private static readonly JsonSerializerOptions Nudge = new();
    private static string? s_path;

    /// <summary>Gets the plugin's file, emitted once per test process.</summary>
    public static string Path
    {
        get
        {
            lock (Gate)
            {
                return s_path ??= Emit();
            }
        }
    }

    /// <summary>Loads the plugin in a new collectible context, runs <paramref name="use"/> on its work type, unloads the
    /// context, and returns a weak reference to it: nothing of the plugin is reachable from the caller's frame.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static WeakReference LoadUseAndUnload(Action<Type> use)
    {
        var context = new AssemblyLoadContext("r43-plugin", isCollectible: true);
        var assembly = context.LoadFromAssemblyPath(Path);
        use(assembly.GetType("CollectiblePlugin.Doubler", throwOnError: true)!);
        context.Unload();
        return new WeakReference(context);
    }

    /// <summary>Whether the context was collected within a bounded number of full collections.</summary>
    /// <remarks>System.Text.Json keeps the accessors it emitted for a type's members in a static cache of its own for a
    /// second after their last use, and evicts them only when it next builds metadata (dotnet/runtime#65323, open): so
    /// between collections this builds metadata for a type of its own with a fresh resolver, as a process that goes on
    /// serializing does. What that cannot release (a cache of Brigade's, or the metadata cached by options that live for
    /// ever) keeps the context alive, and the test fails.</remarks>
    public static bool IsCollected(WeakReference context)
    {
        for (var i = 0; i < 20 && context.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            if (context.IsAlive)
            {
                Thread.Sleep(250);
#pragma warning disable CA1869 // A fresh resolver is the point: it builds the metadata again.
                var options = new JsonSerializerOptions(Nudge) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
#pragma warning restore CA1869
                _ = JsonSerializer.Serialize(new CollectiblePluginTick { Count = i }, options);
            }
        }

        return !context.IsAlive;
    }

    /// <summary>Runs <c>Runner.MapAsync&lt;Payload, Payload&gt;</c> over <paramref name="count"/> payloads with an instance
    /// of the work type, through reflection as a host that does not know the plugin's types would, and returns the values.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int[] Map(Type workType, int count, RunOptions options)
    {
        var payload = workType.Assembly.GetType("CollectiblePlugin.Payload", throwOnError: true)!;
        var field = payload.GetField("Value")!;
        var items = Array.CreateInstance(payload, count);
        for (var i = 0; i < count; i++)
        {
            var item = Activator.CreateInstance(payload)!;
            field.SetValue(item, i);
            items.SetValue(item, i);
        }

        var map = typeof(Runner).GetMethods().Single(m =>
            m.Name == nameof(Runner.MapAsync) && m.GetParameters() is { Length: 4 } p &&
            p[0].ParameterType.IsGenericType && p[0].ParameterType.GetGenericTypeDefinition() == typeof(IEnumerable<>) &&
            p[1].ParameterType.IsGenericType && p[1].ParameterType.GetGenericTypeDefinition() == typeof(IWork<,>));
        var task = (Task)map.MakeGenericMethod(payload, payload).Invoke(null, [items, Activator.CreateInstance(workType), options, CancellationToken.None])!;
        task.GetAwaiter().GetResult();
        var result = task.GetType().GetProperty("Result")!.GetValue(task)!;
        var values = (System.Collections.IEnumerable)result.GetType().GetProperty("Values")!.GetValue(result)!;
        return [.. values.Cast<object>().Select(v => (int)field.GetValue(v)!)];
    }

    private static string Emit()
    {
        var builder = new PersistedAssemblyBuilder(new AssemblyName("CollectiblePlugin"), typeof(object).Assembly);
        var module = builder.DefineDynamicModule("CollectiblePlugin");

        var payload = module.DefineType("CollectiblePlugin.Payload", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(object));
        var value = payload.DefineField("Value", typeof(int), FieldAttributes.Public);
        var payloadConstructor = payload.DefineDefaultConstructor(MethodAttributes.Public);

        var workInterface = typeof(IWork<,>).MakeGenericType(payload, payload);
        var work = module.DefineType("CollectiblePlugin.Doubler", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(object), [workInterface]);
        work.DefineDefaultConstructor(MethodAttributes.Public);
        var execute = work.DefineMethod(
            "Execute",
            MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot,
            payload,
            [payload]);
        var il = execute.GetILGenerator();
        il.Emit(OpCodes.Newobj, payloadConstructor);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldfld, value);
        il.Emit(OpCodes.Ldc_I4_2);
        il.Emit(OpCodes.Mul);
        il.Emit(OpCodes.Stfld, value);
        il.Emit(OpCodes.Ret);
        work.DefineMethodOverride(execute, TypeBuilder.GetMethod(workInterface, typeof(IWork<,>).GetMethod(nameof(IWork<int, int>.Execute))!));

        payload.CreateType();
        work.CreateType();
        SweepLeftovers();
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        var path = System.IO.Path.Combine(directory, "CollectiblePlugin.dll");
        Directory.CreateDirectory(directory);
        using (var file = File.Create(path))
        {
            builder.Save(file);
        }

        // Each run left its folder behind (lib44). Deleted as the test process exits (a loaded file may go on Linux; where
        // it may not, the next run's sweep takes it).
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(directory);
        return path;
    }

    private const string FolderPrefix = "brigade-collectible-plugin-";

    // Folders of test processes that are gone (killed before their exit handler ran, or whose file could not be deleted).
    private static void SweepLeftovers()
    {
        foreach (var folder in Directory.EnumerateDirectories(System.IO.Path.GetTempPath(), FolderPrefix + "*"))
        {
            var name = System.IO.Path.GetFileName(folder).AsSpan(FolderPrefix.Length);
            var dash = name.IndexOf('-');
            if (dash > 0 && int.TryParse(name[..dash], out var pid) && pid != Environment.ProcessId && !IsRunning(pid))
            {
                TryDelete(folder);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>A type of the test's own, whose metadata <see cref="CollectiblePlugin.IsCollected"/> builds.</summary>
public sealed class CollectiblePluginTick
{
    public int Count { get; set; }
}
