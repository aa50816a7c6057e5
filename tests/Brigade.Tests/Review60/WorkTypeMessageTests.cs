namespace Brigade.Tests.Review60;

/// <summary>
/// A work type that workers cannot create is refused in one sentence that names the type and what to do: the message of a
/// type without a parameterless constructor ended "(Parameter 'type')", a parameter of Brigade's own the user never
/// passed (review 59's leftover).
/// </summary>
public sealed class WorkTypeMessageTests
{
    [Fact]
    public void For_ATypeWithoutAParameterlessConstructor_SaysWhatToDoInOneSentence()
    {
        var e = Assert.Throws<ArgumentException>(() => WorkDescriptor.For(typeof(Quota)));

        Assert.Null(e.ParamName);
        Assert.DoesNotContain("(Parameter", e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"Work type {typeof(Quota).FullName} has no parameterless constructor", e.Message, StringComparison.Ordinal);
        Assert.Contains("add a parameterless constructor", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", e.Message, StringComparison.Ordinal);
        Assert.Single(e.Message.Split(". ", StringSplitOptions.None));
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(typeof(NotWork))]
    [InlineData(typeof(AbstractWork))]
    public void For_OtherTypesWorkersCannotRun_NameNoParameterOfBrigades(Type type)
    {
        var e = Assert.Throws<ArgumentException>(() => WorkDescriptor.For(type));

        Assert.Null(e.ParamName);
        Assert.DoesNotContain("(Parameter", e.Message, StringComparison.Ordinal);
        Assert.Contains(type.FullName!, e.Message, StringComparison.Ordinal);
    }

    public sealed class Quota(int limit) : IWork<int, int>
    {
        public int Execute(int input) => Math.Min(input, limit);
    }

    public sealed class NotWork
    {
    }

    public abstract class AbstractWork : IWork<int, int>
    {
        public abstract int Execute(int input);
    }
}
