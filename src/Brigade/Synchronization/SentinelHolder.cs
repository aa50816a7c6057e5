namespace Brigade.Synchronization;

/// <summary>The owner of primitives that do not detect pitfalls: it never waits, so it never closes a cycle.</summary>
internal sealed class SentinelHolder : Holder
{
    public static readonly SentinelHolder Instance = new();

    private SentinelHolder()
    {
    }

    public override string Describe() => "an untracked owner";

    public override CallSite SiteOf(SynchronizationPrimitive primitive) => default;
}
