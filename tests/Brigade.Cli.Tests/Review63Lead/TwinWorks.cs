namespace Brigade.Cli.Tests.Review63Lead;

/// <summary>Two work types of one name, in two enclosing types: <c>--work Twin</c> cannot say which.</summary>
public static class TwinWorks
{
    /// <summary>The first enclosing type.</summary>
    public static class Left
    {
        /// <summary>A work type named Twin.</summary>
        public sealed class Twin : IWork<int, int>
        {
            /// <inheritdoc/>
            public int Execute(int input) => input;
        }
    }

    /// <summary>The second enclosing type.</summary>
    public static class Right
    {
        /// <summary>Another work type named Twin.</summary>
        public sealed class Twin : IWork<int, int>
        {
            /// <inheritdoc/>
            public int Execute(int input) => -input;
        }
    }
}
