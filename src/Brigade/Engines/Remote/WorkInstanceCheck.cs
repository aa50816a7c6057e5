using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Brigade.Engines.Remote;

/// <summary>
/// Refuses a work instance whose state the engines that run items elsewhere would lose. Worker processes (and silos)
/// create their own instance with the parameterless constructor, so a caller's <c>new Scale { Factor = 3 }</c> ran
/// every item with <c>Factor = 1</c> in the workers and the run reported success (lib58): the instance passed is compared
/// with new ones before any item runs, and a setting the workers would not see fails the run with its name and value.
/// </summary>
/// <remarks>
/// <para>What is compared is what a caller configures and what cannot change after construction: public properties with
/// a public getter and setter (<c>init</c> included), public fields, and readonly fields of any visibility that hold values
/// (set by a constructor with parameters), not references to objects the work built for itself. Private mutable fields are left alone: caches and counters the work keeps for itself,
/// which an earlier in-process run may have filled, are not configuration. Values of simple types (numbers, strings,
/// enums, dates, <see cref="Guid"/>, arrays of them) are compared by value, other references by whether they are set.</para>
/// <para>Two new instances are built once per type, 10 ms apart, when the type has such members (its parameterless
/// constructor then runs twice more in the calling process); a member in which they differ (an id or a time stamp
/// taken by the constructor) is not compared. A type whose constructor throws here is not checked (its workers will say
/// why).</para>
/// </remarks>
internal static class WorkInstanceCheck
{
    private static readonly ConditionalWeakTable<Type, Baseline> Baselines = [];

    /// <summary>Throws when <paramref name="work"/> holds state that a new instance of its type does not.</summary>
    /// <param name="work">The work object the caller passed; <see langword="null"/> (delegates) passes.</param>
    /// <exception cref="ArgumentException">The instance differs from a new one; the message names each difference.</exception>
    [RequiresUnreferencedCode("Reads the work type's fields and properties and calls its parameterless constructor by reflection.")]
    public static void Ensure(object? work)
    {
        if (work is null)
        {
            return;
        }

        var type = work.GetType();
        var baseline = Baselines.GetValue(type, static t => Baseline.Create(t));
        var differences = baseline.Differences(work);
        if (differences.Count == 0)
        {
            return;
        }

        var name = type.Name;
        throw new ArgumentException(
            $"The {name} instance passed differs from a new {name}() in {string.Join(", ", differences)}: worker processes create their own " +
            $"instance with the parameterless constructor, so the state of the one you pass does not travel and every item would run with " +
            "the defaults. Carry the setting in the items (or in a constant), or run on an in-process engine.",
            nameof(work));
    }

    private sealed class Baseline
    {
        private static readonly Baseline Empty = new([]);
        private static readonly TimeSpan ApartBy = TimeSpan.FromMilliseconds(10);
        private readonly List<Member> _members;

        private Baseline(List<Member> members) => _members = members;

        [RequiresUnreferencedCode("Reflection over the work type.")]
        public static Baseline Create(Type type)
        {
            var candidates = MembersOf(type).ToList();
            if (candidates.Count == 0)
            {
                return Empty;
            }

            object first;
            object? second = null;
            try
            {
                first = Activator.CreateInstance(type, nonPublic: true)!;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Empty;
            }

            try
            {
                // Apart in time, so that a time the constructor takes (DateTime.UtcNow, Environment.TickCount64, whose clock
                // moves every few milliseconds) differs between the two and is not mistaken for configuration. Once per
                // type and process, beside a worker's start that takes far longer.
                Thread.Sleep(ApartBy);
                second = Activator.CreateInstance(type, nonPublic: true)!;
                var members = new List<Member>();
                foreach (var member in candidates)
                {
                    if (member.TryRead(first, out var a) && member.TryRead(second, out var b) && member.Same(a, b))
                    {
                        members.Add(member with { Default = a });
                    }
                }

                return new Baseline(members);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Empty;
            }
            finally
            {
                Release(first);
                if (second is not null)
                {
                    Release(second);
                }
            }
        }

        public List<string> Differences(object instance)
        {
            var differences = new List<string>();
            foreach (var member in _members)
            {
                if (member.TryRead(instance, out var value) && !member.Same(value, member.Default))
                {
                    differences.Add($"{member.Name} ({Show(value)}; a new one has {Show(member.Default)})");
                }
            }

            return differences;
        }

        [RequiresUnreferencedCode("Reflection over the work type.")]
        private static IEnumerable<Member> MembersOf(Type type)
        {
            var properties = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in type.GetProperties(BindingFlags.Instance | BindingFlags.Public))
            {
                if (property.GetIndexParameters().Length == 0 && property.GetMethod is { IsPublic: true } && property.SetMethod is { IsPublic: true })
                {
                    properties.Add(property.Name);
                    yield return new Member(property.Name, property.PropertyType, property.GetValue);
                }
            }

            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    // A non-public readonly field is compared when it holds a value (a prefix, a size, a path a constructor
                    // with parameters set), not a reference to an object the work built for itself (a client, a model):
                    // a type with only those is never built here, so a heavy constructor does not run twice more.
                    if (!field.IsPublic && !(field.IsInitOnly && (Member.ByValue(Nullable.GetUnderlyingType(field.FieldType) ?? field.FieldType) || field.FieldType.IsArray)))
                    {
                        continue;
                    }

                    // An auto-property's backing field (<Factor>k__BackingField) is the property, compared above when it is settable.
                    var name = field.Name is ['<', ..] && field.Name.IndexOf('>', StringComparison.Ordinal) is > 1 and var end ? field.Name[1..end] : field.Name;
                    if (properties.Add(name))
                    {
                        yield return new Member(name, field.FieldType, field.GetValue);
                    }
                }
            }
        }

        private static void Release(object instance)
        {
            try
            {
                if (instance is IDisposable disposable)
                {
                    disposable.Dispose();
                }
                else if (instance is IAsyncDisposable asyncDisposable)
                {
                    _ = asyncDisposable.DisposeAsync().AsTask().ContinueWith(
                        static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The check's own instances: a failing Dispose is the work type's to report in its workers, not here.
            }
        }

        private static string Show(object? value)
        {
            var text = value switch
            {
                null => "null",
                string s => "\"" + s + "\"",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                Array a => $"{a.GetType().GetElementType()!.Name}[{a.Length}]",
                _ => value.GetType().Name + " set",
            };
            return text.Length > 60 ? text[..57] + "..." : text;
        }
    }

    private sealed record Member(string Name, Type Type, Func<object?, object?> Read)
    {
        public object? Default { get; init; }

        public bool TryRead(object instance, out object? value)
        {
            try
            {
                value = Read(instance);
                return true;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                value = null;
                return false;
            }
        }

        public bool Same(object? a, object? b)
        {
            if (a is null || b is null)
            {
                return a is null && b is null;
            }

            if (ByValue(Nullable.GetUnderlyingType(Type) ?? Type))
            {
                return a.Equals(b);
            }

            if (a is Array x && b is Array y && ByValue(x.GetType().GetElementType()!) && ByValue(y.GetType().GetElementType()!))
            {
                return StructuralComparisons.StructuralEqualityComparer.Equals(x, y);
            }

            // Other references (a client, a cache, options objects): set or not is all that is compared.
            return true;
        }

        public static bool ByValue(Type type) =>
            type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime) ||
            type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid) || type == typeof(DateOnly) ||
            type == typeof(TimeOnly) || type == typeof(Uri);
    }
}
