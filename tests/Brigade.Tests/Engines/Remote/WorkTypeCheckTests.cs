using Brigade.Engines.Remote;

namespace Brigade.Tests.Engines.Remote;

public sealed class WorkTypeCheckTests
{
    public class Animal
    {
        public string? Name { get; set; }
    }

    public sealed class Cat : Animal
    {
        public int Lives { get; set; }
    }

    public sealed class AnimalToCat : IWork<Animal, Cat>
    {
        public Cat Execute(Animal input) => new() { Name = input.Name, Lives = 9 };
    }

    public static TheoryData<Type, Type, bool> Runs => new()
    {
        { typeof(Animal), typeof(Cat), true },     // exact
        { typeof(Cat), typeof(Cat), true },        // a more derived input
        { typeof(Animal), typeof(Animal), true },  // a less derived result
        { typeof(Cat), typeof(object), true },     // both
        { typeof(object), typeof(Cat), false },    // an input the work cannot take
        { typeof(Animal), typeof(string), false }, // a result the run cannot hold
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void Accepts_IsCSharpVarianceForIWork(Type input, Type output, bool accepted)
    {
        var descriptor = WorkDescriptor.For(typeof(AnimalToCat));

        Assert.Equal(accepted, WorkTypeCheck.Accepts(descriptor, input, output));

        // The rule is exactly what C# allows: IWork<Animal, Cat> converts to IWork<input, output>.
        Assert.Equal(accepted, typeof(IWork<,>).MakeGenericType(input, output).IsAssignableFrom(typeof(AnimalToCat)));
    }

    [Fact]
    public void Ensure_TypesThatDoNotFit_ThrowsNamingBoth()
    {
        var error = Assert.Throws<ArgumentException>(() => WorkTypeCheck.Ensure<object, Cat>(WorkDescriptor.For(typeof(AnimalToCat))));

        Assert.Contains("maps Animal to Cat, but the run maps Object to Cat", error.Message, StringComparison.Ordinal);
    }
}
