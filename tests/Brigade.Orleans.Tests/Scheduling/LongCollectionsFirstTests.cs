using System.Reflection;

namespace Brigade.Orleans.Tests.Scheduling;

/// <summary>
/// Every collection <see cref="LongCollectionsFirst"/> starts first exists under the name it gives: a renamed class, or
/// one moved into a named collection, would drop out of the order without a word, back to xunit's draw.
/// </summary>
public sealed class LongCollectionsFirstTests
{
    [Fact]
    public void EveryCollectionStartedFirst_ExistsUnderThatName()
    {
        var types = typeof(LongCollectionsFirstTests).Assembly.GetTypes();
        // xunit 2's attributes keep the name as a constructor argument only.
        var defined = types.SelectMany(t => t.GetCustomAttributesData())
            .Where(a => a.AttributeType == typeof(CollectionDefinitionAttribute) && a.ConstructorArguments.Count > 0)
            .Select(a => (string?)a.ConstructorArguments[0].Value)
            .ToHashSet();
        var testClasses = types.Where(t => t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any())).ToList();
        var ownCollections = testClasses
            .Where(t => t.GetCustomAttribute<CollectionAttribute>() is null)
            .Select(LongCollectionsFirst.ClassCollection)
            .ToHashSet();

        Assert.All(LongCollectionsFirst.First, name => Assert.True(
            defined.Contains(name) || ownCollections.Contains(name),
            $"'{name}' is neither a [CollectionDefinition] nor the own collection of a test class without [Collection]"));
        Assert.Equal(LongCollectionsFirst.First.Length, LongCollectionsFirst.First.Distinct().Count());
    }
}
