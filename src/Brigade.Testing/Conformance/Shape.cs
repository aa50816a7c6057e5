namespace Brigade.Testing.Conformance;

/// <summary>The kinds of input a run accepts; each takes a different path through the item sources.</summary>
internal enum Shape
{
    Array,
    List,
    ReadOnlyList,
    Collection,
    LazyEnumerable,
    AsyncEnumerable,
}
