namespace Brigade.Tests.Infrastructure;

/// <summary>The kinds of input a run accepts; each takes a different path through the item sources.</summary>
public enum InputShape
{
    Array,
    List,
    ReadOnlyList,
    Collection,
    LazyEnumerable,
    AsyncEnumerable,
}
