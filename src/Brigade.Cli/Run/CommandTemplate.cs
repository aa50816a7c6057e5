using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Brigade.Cli.Run;

/// <summary>
/// A shell command with placeholders for the item, after GNU parallel: <c>{}</c> the item, <c>{.}</c> without
/// extension, <c>{/}</c> basename, <c>{//}</c> directory, <c>{/.}</c> basename without extension, <c>{#}</c> the
/// 1-based sequence number, <c>{%}</c> the job slot, <c>{index}</c> the 0-based index, <c>{N}</c> (and <c>{N.}</c>,
/// <c>{N/}</c>, <c>{N//}</c>, <c>{N/.}</c>) the N-th CSV field, and <c>{name}</c> a CSV column or JSON property.
/// Every substitution is shell-quoted; a template without placeholders gets <c> {}</c> appended, like xargs.
/// </summary>
/// <remarks>
/// <para>Only Brigade's placeholders are replaced; other braces reach the shell as written, so <c>awk '{print $1}'</c>,
/// <c>sed '/x/{p;d}'</c> and <c>${HOME}</c> work. The rule: <c>{…}</c> after a <c>$</c> is the shell's; braces around
/// anything but letters, digits and <c>_ . / # % -</c> (a space, a quote, a comma, <c>$</c>) are literal; braces
/// around only digits and <c>. / # %</c> are Brigade's, and an unknown one (<c>{0}</c>, <c>{..}</c>) is a usage error.
/// A word (<c>{name}</c>) is a field when the input has a field of that name (a column of the CSV header, a property of
/// the first JSON item: see <see cref="Bind"/>); otherwise it is the shell's text when it stands inside quotes in the
/// command (<c>awk '{print}'</c>), which is where awk, sed and jq programs always are. An unquoted word that names no
/// field is a usage error with CSV input (no record can have it), and a field with JSON Lines input (items may differ;
/// one without it fails with the reason). Plain lines have no fields: every word is the shell's.</para>
/// </remarks>
internal sealed partial class CommandTemplate
{
    private const string Reference = "placeholders are {} {.} {/} {//} {/.} {#} {%} {index}, {N} for CSV fields (from 1) and {name} for CSV columns or JSON properties, each also with . / // /.";

    private static readonly System.Buffers.SearchValues<char> PlaceholderCharacters = System.Buffers.SearchValues.Create("0123456789./#%");

    private List<Part> _parts;

    private readonly InputFormat _format;

    private CommandTemplate(string text, InputFormat format, List<Part> parts)
    {
        Text = text;
        _format = format;
        _parts = parts;
        UsesSlot = parts.Any(p => p.Kind == PartKind.Slot);
    }

    private enum PartKind
    {
        Literal,
        Item,
        Sequence,
        Slot,
        Index,
        Field,
        Named,
    }

    public string Text { get; }

    /// <summary>Gets whether the command uses <c>{%}</c>, the job slot, filled in only when the command starts.</summary>
    public bool UsesSlot { get; }

    /// <summary>
    /// Parses a command; <paramref name="format"/> decides whether <c>{name}</c> may be a field (CSV, JSON Lines) or is
    /// text (lines). Until <see cref="Bind"/> tells which fields the input has, every <c>{name}</c> counts as a field.
    /// </summary>
    /// <exception cref="CliUsageException">The command is empty or has an unknown placeholder.</exception>
    public static CommandTemplate Parse(string template, InputFormat format = InputFormat.Lines) => new(template, format, Split(template, format, null));

    /// <summary>
    /// Decides each <c>{name}</c> from the input's first item, before anything runs (and the same way on resume, which
    /// reads the same first item): a field when the input has it (a CSV header column, a property of the first JSON
    /// item); otherwise the shell's text when it stands inside quotes in the command (<c>awk '{print}'</c>); otherwise a
    /// usage error for CSV, whose records all have the header's columns, and a field for JSON Lines, whose items may
    /// differ (an item without it fails with the reason). Call once, before rendering.
    /// </summary>
    /// <exception cref="CliUsageException">An unquoted <c>{name}</c> names no CSV column, or <c>{N}</c> is past the last one.</exception>
    public void Bind(InputItem first)
    {
        if (_format == InputFormat.Csv)
        {
            if (first.Header is not { } header)
            {
                return; // the header line is malformed: the names stay fields, and items without them fail
            }

            _parts = Split(Text, InputFormat.Csv, new Fields(header, InEveryItem: true, "column of the CSV header"));
            foreach (var part in _parts.Where(p => p.Kind == PartKind.Field && p.Column > header.Count))
            {
                throw new CliUsageException($"--exec: {{{part.Column}}} is past the last of the CSV header's {header.Count} columns ({string.Join(", ", header)})");
            }

            // A header with a name twice (name,email,name) gave {name} the first of them without a word: said before anything
            // runs, with the numbers that tell them apart (review 39).
            foreach (var part in _parts.Where(p => p.Kind == PartKind.Named))
            {
                var columns = header.Select((name, at) => (name, at)).Where(c => c.name == part.Name).Select(c => c.at + 1).ToList();
                if (columns.Count > 1)
                {
                    throw new CliUsageException($"--exec: {{{part.Name}}} is ambiguous: the CSV header has {columns.Count} columns named '{part.Name}' (columns {string.Join(", ", columns)}); give the column's number ({{{columns[0]}}})");
                }
            }
        }
        else if (_format == InputFormat.JsonLines && _parts.Any(p => p.Kind == PartKind.Named))
        {
            // JSON Lines: the first item's properties (none when it is not an object, or malformed).
            var names = first.Json is { ValueKind: JsonValueKind.Object } obj ? obj.EnumerateObject().Select(p => p.Name).ToList() : [];
            _parts = Split(Text, InputFormat.JsonLines, new Fields(names, InEveryItem: false, "property of the first JSON item"));
        }
    }

    /// <summary>
    /// Gets the program every item's command starts, when the command names it in its own text and needs no shell around
    /// it (<see cref="ExecCommandLine"/>: a program and its arguments, each placeholder one of them or part of one); null
    /// when a placeholder names the program (<c>{} --version</c>) or the command is the shell's (<c>cd {} &amp;&amp; make</c>,
    /// a builtin, a pipe), where what runs cannot be known before the items do.
    /// </summary>
    /// <remarks>An item whose value is not a plain word goes to <c>/bin/sh -c</c> as <c>prog "${BRIGADE_V1}"</c>: the same
    /// program, found by the shell on the same <c>PATH</c>.</remarks>
    public string? FixedProgram()
    {
        var text = new StringBuilder();
        foreach (var part in _parts)
        {
            // Each value as one ordinary character: it is a word of its own or part of one, never an operator.
            text.Append(part.Kind == PartKind.Literal ? part.Name : ValueMark);
        }

        var words = ExecCommandLine.TrySplit(text.ToString());
        return words is { Length: > 0 } && !words[0].Contains(ValueMark, StringComparison.Ordinal) ? words[0] : null;
    }

    private const char ValueMark = '\u0001';

    /// <summary>Checks the command against the CSV header, before anything runs (<see cref="Bind"/> with the header).</summary>
    /// <exception cref="CliUsageException">An unquoted <c>{name}</c> names no column, or <c>{N}</c> is past the last one.</exception>
    public void CheckAgainst(IReadOnlyList<string> header)
    {
        if (_format != InputFormat.Csv)
        {
            throw new InvalidOperationException("only a template for CSV input has columns to check");
        }

        Bind(new InputItem(0, 1, "") { Header = header, Fields = header });
    }

    private static List<Part> Split(string template, InputFormat format, Fields? fields)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            throw new CliUsageException("--exec: the command is empty");
        }

        var parts = new List<Part>();
        var literal = new StringBuilder();
        var hasPlaceholder = false;

        // The shell's quoting where each brace stands (review 22): a stack of contexts, for a value inside the command's
        // own quotes is quoted outside them (the quote closed before it and opened again after), and one in a command
        // substitution ($(...) or backticks, even inside "...") starts a quoting level of its own, where a plainly
        // quoted value is one word. Comments (# at a word's start) are skipped, so an apostrophe there opens nothing.
        // A placeholder inside ${...} and quotes left open at the end are usage errors: a value there could not be
        // quoted safely, and a template whose quoting is misread must not be run.
        var contexts = new Stack<Context>();
        contexts.Push(Context.Plain);
        var depth = new Stack<int>();

        // Here-documents whose operator (<<WORD) was read on this line: their bodies start after its end (review R3).
        var hereDocuments = new List<HereDocument>();
        var hasHereDocument = false;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            var top = contexts.Peek();
            if (c == '{' && (i == 0 || template[i - 1] != '$'))
            {
                if (PerlExpression(template, i) is { } expression)
                {
                    throw new CliUsageException($"--exec: {expression} is GNU parallel's Perl expression, which brigade run does not have (it runs no Perl); compute the value in the command from {{}} (sh -c 'f=\"$1\"; echo \"${{f%.gz}}\"' _ {{}})");
                }

                var close = template.IndexOf('}', i + 1);
                var quoted = top is Context.Single or Context.Double or Context.AnsiC;
                if (close > i && Classify(template[(i + 1)..close], format, fields, quoted) is { } part)
                {
                    // Also inside quotes within ${...} (review 26 S1): in "${x:-'{}'}" dash takes the quotes as text.
                    if (top == Context.Parameter || InLevel(contexts, Context.Parameter))
                    {
                        throw new CliUsageException($"--exec: {{{template[(i + 1)..close]}}} inside ${{...}} cannot be quoted safely; assign it first (v={{}}; echo \"${{v:-x}}\")");
                    }

                    // Inside the command's own quotes ('{}' or "{}"), the value is quoted outside them: the quote is
                    // closed before it and opened again after. Single-quoted inside "..." it kept its quotes as text
                    // and a $(...) in it ran; inside '...' its quotes cancelled the command's and it was not quoted at all.
                    var (closing, reopening) = top switch
                    {
                        Context.Single => ("'", "'"),
                        Context.AnsiC => ("'", "$'"),
                        // A backslash just before it ("a\{}b") is text there, but would escape the closing quote: doubled.
                        Context.Double => (LoneBackslashBefore(template, i) ? "\\\"" : "\"", "\""),
                        _ => ("", ""),
                    };
                    literal.Append(closing);
                    if (literal.Length > 0)
                    {
                        parts.Add(new Part(PartKind.Literal, literal.ToString()));
                        literal.Clear();
                    }

                    // Inside $((...)) the shell reads the expression as if in double quotes: quotes there are text, and a
                    // $(...) in a value ran however it was quoted (review 25). Such a value goes in only as a plain word
                    // (digits, letters, + - / % ...: what Quote leaves unquoted); any other fails its item (RenderCommand).
                    parts.Add(InArithmetic(contexts) && part.Kind is not (PartKind.Sequence or PartKind.Slot or PartKind.Index) ? part with { InArithmetic = true } : part);
                    literal.Append(reopening);
                    hasPlaceholder = true;
                    i = close;
                    continue;
                }
            }

            literal.Append(c);
            var next = i + 1 < template.Length ? template[i + 1] : '\0';
            switch (top)
            {
                case Context.Single:
                    if (c == '\'')
                    {
                        contexts.Pop();
                    }

                    break;
                case Context.AnsiC:
                    if (c == '\\' && next != '\0')
                    {
                        literal.Append(template[++i]);
                    }
                    else if (c == '\'')
                    {
                        contexts.Pop();
                    }

                    break;
                case Context.Double:
                    if (c == '\\' && next is '$' or '`' or '"' or '\\' or '\n')
                    {
                        literal.Append(template[++i]);
                    }
                    else if (c == '"')
                    {
                        contexts.Pop();
                    }
                    else
                    {
                        OpenSubstitution(template, ref i, c, next, contexts, depth, literal);
                    }

                    break;
                default:
                    if (c == '\\' && next != '\0')
                    {
                        literal.Append(template[++i]);
                    }
                    else if (c == '\'')
                    {
                        contexts.Push(Context.Single);
                    }
                    else if (c == '"')
                    {
                        contexts.Push(Context.Double);
                    }
                    else if (c == '$' && next == '\'')
                    {
                        literal.Append(template[++i]);
                        contexts.Push(Context.AnsiC);
                    }
                    // Not ((...)) as arithmetic: dash (/bin/sh on Debian) reads (( as two subshells, where << opens a real
                    // here-document whose body the shell expands (review 25 S3: `((cat <<EOF`, a body with an item's
                    // $(...), ran it). A << there is taken as a here-document: at worst a placeholder after it is refused.
                    else if (c == '<' && next == '<' && top is not (Context.Parameter or Context.Arithmetic))
                    {
                        literal.Append(template[++i]);
                        if (i + 1 < template.Length && template[i + 1] == '<')
                        {
                            literal.Append(template[++i]); // <<< a here-string: a word like any other
                        }
                        else if (ReadHereDocument(template, ref i, literal) is { } hereDocument)
                        {
                            hereDocuments.Add(hereDocument);
                            hasHereDocument = true;
                        }
                    }
                    else if (c == '\n' && hereDocuments.Count > 0)
                    {
                        hasPlaceholder |= SkipHereDocuments(template, ref i, literal, parts, hereDocuments, format, fields);
                    }
                    else if (c == '#' && (i == 0 || template[i - 1] is ' ' or '\t' or '\n' or ';' or '&' or '|' or '(' or ')'))
                    {
                        // A comment, to the end of its line, taken as written.
                        var end = template.IndexOf('\n', i + 1);
                        end = end < 0 ? template.Length : end;
                        literal.Append(template, i + 1, end - i - 1);
                        i = end - 1;
                    }
                    else if (top is Context.Substitution or Context.Arithmetic && c == '(')
                    {
                        depth.Push(depth.Pop() + 1);
                    }
                    else if (top is Context.Substitution or Context.Arithmetic && c == ')')
                    {
                        var left = depth.Pop() - 1;
                        if (left == 0)
                        {
                            contexts.Pop();
                        }
                        else
                        {
                            depth.Push(left);
                        }
                    }
                    else if (top == Context.Parameter && c == '}')
                    {
                        contexts.Pop();
                    }
                    else if (top == Context.Backtick && c == '`')
                    {
                        contexts.Pop();
                    }
                    else
                    {
                        OpenSubstitution(template, ref i, c, next, contexts, depth, literal);
                    }

                    break;
            }
        }

        if (hereDocuments.Count > 0)
        {
            // An operator on the last line, with no body after it: the shell reads an empty one.
            hereDocuments.Clear();
        }

        if (contexts.Count > 1)
        {
            throw new CliUsageException($"--exec: the command's quoting is not closed ({Describe(contexts.Peek())} left open); brigade reads it to quote each value, and would misread it");
        }

        if (!hasPlaceholder && hasHereDocument)
        {
            // The item would be appended after the body's end, where the shell may still be reading the body (review 26 S8).
            throw new CliUsageException("--exec: a command with a here-document needs a placeholder for the item ({} where it goes, outside the body): brigade appends the item to a command without one, which would land in the here-document; for the item in the body, pass it as an argument and use \"$1\" (sh -c 'cat <<EOF ... \"$1\" ... EOF' _ {})");
        }

        if (!hasPlaceholder)
        {
            literal.Append(' ');
            parts.Add(new Part(PartKind.Literal, literal.ToString()));
            literal.Clear();
            parts.Add(new Part(PartKind.Item, ""));
        }

        if (literal.Length > 0)
        {
            parts.Add(new Part(PartKind.Literal, literal.ToString()));
        }

        return parts;
    }

    /// <summary>
    /// Renders the command for an item as text, each value quoted in place (see <see cref="RenderCommand"/>, which the run
    /// uses); throws <see cref="FormatException"/> for a field the item does not have, and for a command line longer than
    /// the system lets a command have (see <see cref="CommandLineLimit"/>).
    /// </summary>
    /// <param name="item">The item.</param>
    /// <param name="slot">The job slot for <c>{%}</c>; 0 renders a marker that <see cref="FillSlot"/> replaces.</param>
    public string Render(InputItem item, int slot = 0) => RenderCommand(item, slot).Text;

    /// <summary>
    /// Renders the command for an item in its two forms (<see cref="RenderedCommand"/>): the text with each value quoted in
    /// place, and the shell's, where a value that is not a plain word is a reference to an environment variable. Throws
    /// <see cref="FormatException"/> for a field the item does not have, and for a command line longer than the system lets
    /// a command have (see <see cref="CommandLineLimit"/>).
    /// </summary>
    /// <param name="item">The item.</param>
    /// <param name="slot">The job slot for <c>{%}</c>; 0 renders a marker that <see cref="FillSlot"/> replaces.</param>
    public RenderedCommand RenderCommand(InputItem item, int slot = 0)
    {
        var text = new StringBuilder();

        // The shell's form is made only once a value needs a reference (most commands' values are plain words).
        StringBuilder? shell = null;
        List<string>? values = null;
        foreach (var part in _parts)
        {
            if (part.Kind == PartKind.Literal)
            {
                text.Append(part.Name);
                shell?.Append(part.Name);
            }
            else if (part.Kind == PartKind.Slot && slot == 0)
            {
                text.Append(SlotMarker);
                shell?.Append(SlotMarker);
            }
            else if (part.InArithmetic)
            {
                var value = Value(item, part, slot);
                if (!IsNumber(value))
                {
                    throw new FormatException($"{{{part.Name}}} stands inside $((...)), where the shell reads the value as an expression, and the value is not a number (digits, an optional sign, 0x1F, 2#101): not run");
                }

                text.Append(value);
                shell?.Append(value);
            }
            else
            {
                var value = Value(item, part, slot);
                var quoted = Quote(value);
                if (ReferenceEquals(quoted, value))
                {
                    shell?.Append(value); // a plain word: nothing for the shell to read in it
                }
                else
                {
                    shell ??= new StringBuilder().Append(text);
                    // One variable per distinct value: a value used many times ({} {.} {} ...) travels once.
                    values ??= [];
                    var number = values.IndexOf(value) + 1;
                    if (number == 0)
                    {
                        values.Add(value);
                        number = values.Count;
                    }

                    shell.Append("\"${").Append(RenderedCommand.Variable(number)).Append("}\"");
                }

                text.Append(quoted);
            }
        }

        var command = text.ToString();
        CommandLineLimit.Check(command);
        if (shell is null || values is null)
        {
            return new RenderedCommand(command);
        }

        // The shell's form is one argument too, and a reference can be longer than the quoted value it stands for (review
        // 27 F5); the values themselves, each once, take no more of the environment than the text did.
        var shellText = shell.ToString();
        CommandLineLimit.Check(shellText);
        return RenderedCommand.Create(command, shellText, values);
    }

    // Inside double quotes: whether an odd run of backslashes ends just before position i (pairs are escaped backslashes,
    // and a lone one before anything but $ ` " \ or a newline is text, review 27 F3).
    private static bool LoneBackslashBefore(string template, int i)
    {
        var run = 0;
        while (i - run - 1 >= 0 && template[i - run - 1] == '\\')
        {
            run++;
        }

        return run % 2 == 1;
    }

    // Whether the nearest quoting level is an arithmetic expansion (a $(...) or backticks inside it start a level of their own).
    private static bool InArithmetic(Stack<Context> contexts) => InLevel(contexts, Context.Arithmetic);

    // Whether the nearest quoting level (up to a $(...) or backticks, which start one of their own) holds the context.
    private static bool InLevel(Stack<Context> contexts, Context wanted)
    {
        foreach (var context in contexts)
        {
            if (context == wanted)
            {
                return true;
            }

            if (context is Context.Substitution or Context.Backtick)
            {
                return false;
            }
        }

        return false;
    }

    // A value that is one number literal to the shell's arithmetic (an optional sign, then a digit first: never a name, an
    // operator or an assignment). A name there is looked up, and bash evaluates a variable's value as an expression in
    // turn, where a[$(...)] runs: an item naming BRIGADE_V1 would run another value (review 27 F1).
    private static bool IsNumber(string value)
    {
        var digits = value.AsSpan(value.Length > 0 && value[0] is '+' or '-' ? 1 : 0);
        return digits.Length > 0 && char.IsAsciiDigit(digits[0]) && !digits.ContainsAnyExcept(NumberCharacters);
    }

    private static readonly System.Buffers.SearchValues<char> NumberCharacters =
        System.Buffers.SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ#@_");

    // A value the shell reads as one word with nothing to expand, unquoted (Quote returns it as it is).
    private static bool IsPlainWord(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '/' or '_' or '-' or '+' or ',' or ':' or '=' or '@' or '%');

    /// <summary>Fills <c>{%}</c> into a command rendered without a slot.</summary>
    public static string FillSlot(string rendered, int slot) => rendered.Replace(SlotMarker, slot.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    // Where a character stands in the shell's syntax, for Split.
    private enum Context
    {
        Plain,
        Single,
        Double,
        AnsiC,
        Substitution,
        Backtick,
        Parameter,
        Arithmetic,
    }

    // $( and ` start a command substitution, a quoting level of its own (also inside "..."); $(( an arithmetic expansion
    // (where << is a shift); ${ a parameter expansion.
    private static void OpenSubstitution(string template, ref int i, char c, char next, Stack<Context> contexts, Stack<int> depth, StringBuilder literal)
    {
        if (c == '$' && next == '(')
        {
            literal.Append(template[++i]);
            contexts.Push(i + 1 < template.Length && template[i + 1] == '(' ? Context.Arithmetic : Context.Substitution);
            depth.Push(1);
        }
        else if (c == '$' && next == '{')
        {
            literal.Append(template[++i]);
            contexts.Push(Context.Parameter);
        }
        else if (c == '`')
        {
            contexts.Push(Context.Backtick);
        }
    }

    // A here-document's operator (<< or <<-, i at its second '<'): reads its delimiter word, as written into the command,
    // and returns it unquoted; null when no word follows (the shell's syntax error, not brigade's to report).
    private static HereDocument? ReadHereDocument(string template, ref int i, StringBuilder literal)
    {
        var at = i + 1;
        var stripTabs = at < template.Length && template[at] == '-';
        if (stripTabs)
        {
            at++;
        }

        while (at < template.Length && template[at] is ' ' or '\t')
        {
            at++;
        }

        var delimiter = new StringBuilder();
        var quoted = false;
        while (at < template.Length && template[at] is not (' ' or '\t' or '\n' or ';' or '&' or '|' or '<' or '>' or '(' or ')'))
        {
            var c = template[at];
            if (c == '\\' && at + 1 < template.Length)
            {
                quoted = true;
                delimiter.Append(template[at + 1]);
                at += 2;
            }
            else if (c is '\'' or '"' && template.IndexOf(c, at + 1) is var close and > 0)
            {
                quoted = true;
                delimiter.Append(template, at + 1, close - at - 1);
                at = close + 1;
            }
            else
            {
                delimiter.Append(c);
                at++;
            }
        }

        if (delimiter.Length == 0 && !quoted)
        {
            return null;
        }

        literal.Append(template, i + 1, at - i - 1);
        i = at - 1;
        return new HereDocument(delimiter.ToString(), stripTabs);
    }

    // At the end of a line that had here-document operators (i at its newline): takes their bodies, in order, up to each
    // one's delimiter line, as written. A placeholder of the item's text in a body is a usage error: with an unquoted
    // delimiter the shell expands $(...), backticks and $ in it (an item's $(...) would run), with a quoted one the
    // value's quotes are text. {#}, {%} and {index} are bare digits, never the shell's syntax: they are filled in (N1).
    // Returns whether a body had one of those.
    private static bool SkipHereDocuments(string template, ref int i, StringBuilder literal, List<Part> parts, List<HereDocument> hereDocuments, InputFormat format, Fields? fields)
    {
        var numbers = false;
        var at = i + 1;
        foreach (var hereDocument in hereDocuments)
        {
            while (at < template.Length)
            {
                var end = template.IndexOf('\n', at);
                var line = end < 0 ? template[at..] : template[at..end];
                at = end < 0 ? template.Length : end + 1;
                var delimiterLine = (hereDocument.StripTabs ? line.TrimStart('\t') : line) == hereDocument.Delimiter;
                if (delimiterLine)
                {
                    literal.Append(line);
                }
                else
                {
                    numbers |= TakeHereDocumentLine(line, hereDocument.Delimiter, literal, parts, format, fields);
                }

                if (end >= 0)
                {
                    literal.Append('\n');
                }

                if (delimiterLine)
                {
                    break;
                }
            }
        }

        hereDocuments.Clear();
        i = at - 1;
        return numbers;
    }

    // One line of a here-document's body: as written, but {#}, {%} and {index} filled in; true when it had one.
    private static bool TakeHereDocumentLine(string line, string delimiter, StringBuilder literal, List<Part> parts, InputFormat format, Fields? fields)
    {
        var numbers = false;
        var from = 0;
        for (var open = line.IndexOf('{'); open >= 0; open = line.IndexOf('{', open + 1))
        {
            var close = line.IndexOf('}', open + 1);
            if (close < 0)
            {
                break;
            }

            if (open > 0 && line[open - 1] == '$')
            {
                continue;
            }

            var content = line[(open + 1)..close];
            var part = Classify(content, format, fields, quoted: true);
            if (part is { Kind: PartKind.Sequence or PartKind.Slot or PartKind.Index })
            {
                literal.Append(line, from, open - from);
                if (literal.Length > 0)
                {
                    parts.Add(new Part(PartKind.Literal, literal.ToString()));
                    literal.Clear();
                }

                parts.Add(part);
                numbers = true;
                from = close + 1;
                open = close;
            }
            else if (part is not null && (part.Kind != PartKind.Named || fields is not null))
            {
                throw new CliUsageException(
                    $"--exec: {{{content}}} inside a here-document (<<{delimiter}) cannot be quoted safely: the shell expands $(...) and backticks in its body, " +
                    $"and quotes there are text; pass the value as an argument and use \"$1\" in the body (sh -c 'cat <<{delimiter} ... \"$1\" ... {delimiter}' _ {{{content}}}), " +
                    $"or pipe it in (printf '%s\\n' {{{content}}} | cmd)");
            }
        }

        literal.Append(line, from, line.Length - from);
        return numbers;
    }

    private static string Describe(Context context) => context switch
    {
        Context.Single => "a ' quote",
        Context.Double => "a \" quote",
        Context.AnsiC => "a $' quote",
        Context.Substitution => "a $( substitution",
        Context.Backtick => "a ` substitution",
        Context.Arithmetic => "a $((...)) arithmetic",
        _ => "a ${ expansion",
    };

    // Never produced by Quote (a quoted value holds no NUL, and the marker is only emitted outside quotes).
    private static string SlotMarker => "\0%\0";

    // GNU parallel's replacement strings that brigade run does not have, and what each is there. Braces around a `+` were
    // the shell's text until run60: the command then had no placeholder, got the item appended, and `echo {+.}` printed
    // "{+.} a.tar.gz", exit 0.
    private static string? GnuParallelOnly(string content) => content switch
    {
        ".." or "..." => "the item without its last two or three extensions",
        "/.." or "/..." => "the basename without its last two or three extensions",
        "+/" => "the item's directory part as written",
        "+." or "+.." or "+..." => "the extensions {.} or {..} removes",
        "##" => "the number of jobs",
        _ when content.StartsWith('+') && content.Length > 1 && content.AsSpan(1).IndexOfAnyExcept("./") < 0 => "a GNU parallel shorthand",
        _ => null,
    };

    // GNU parallel's {= perl =}: `{=`, then anything but a line end, then `=}`. Not sed's `{=}` or `{=;p}` (no `=}` after).
    private static string? PerlExpression(string template, int open)
    {
        if (open + 1 >= template.Length || template[open + 1] != '=')
        {
            return null;
        }

        var end = template.IndexOf("=}", open + 2, StringComparison.Ordinal);
        return end < 0 || template.AsSpan(open, end - open).ContainsAny('\n', '\r') ? null : template[open..(end + 2)];
    }

    private static Part? Classify(string content, InputFormat format, Fields? fields, bool quoted)
    {
        if (GnuParallelOnly(content) is { } meaning)
        {
            throw new CliUsageException($"--exec: {{{content}}} is GNU parallel's ({meaning}), not one of brigade run's ({Reference}); compute it in the command from {{}} (sh -c 'f=\"$1\"; echo \"${{f%%.*}}\"' _ {{}})");
        }

        switch (content)
        {
            case "" or "." or "/" or "//" or "/.":
                return new Part(PartKind.Item, content);
            case "#":
                return new Part(PartKind.Sequence, content);
            case "%":
                return new Part(PartKind.Slot, content);
            case "index":
                return new Part(PartKind.Index, content);
        }

        if (FieldPlaceholder().Match(content) is { Success: true } field)
        {
            if (!int.TryParse(field.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var column) || column < 1)
            {
                throw new CliUsageException($"--exec: unknown placeholder {{{content}}}: fields count from 1 ({Reference})");
            }

            if (format != InputFormat.Csv && column > 1)
            {
                throw new CliUsageException($"--exec: {{{content}}} is a CSV field, and this input is {FormatName(format)} (give --format csv, or use {{}} for the whole item)");
            }

            // Plain lines have one field, the item itself (as in GNU parallel, where {1} is the first input source).
            return new Part(PartKind.Field, field.Groups[2].Value) { Column = column };
        }

        if (content.AsSpan().IndexOfAnyExcept(PlaceholderCharacters) < 0)
        {
            throw new CliUsageException($"--exec: unknown placeholder {{{content}}} ({Reference}; other braces are passed to the shell as written)");
        }

        // A named field with a path modifier ({path/}, {path.}, {path//}, {path/.}), as {N/} is for a numbered one; a name
        // that is itself a field ("v1." a column) stays that field.
        if (format is InputFormat.Csv or InputFormat.JsonLines && (fields is null || !fields.Names.Contains(content)) &&
            ModifiedNamePlaceholder().Match(content) is { Success: true } modified)
        {
            var name = modified.Groups[1].Value;
            if (fields is null || fields.Names.Contains(name) || (!fields.InEveryItem && !quoted))
            {
                return new Part(PartKind.Named, name) { Modifier = modified.Groups[2].Value };
            }

            if (!quoted)
            {
                throw new CliUsageException($"--exec: {{{content}}} names no {fields.What} ({string.Join(", ", fields.Names)}); braces the shell should get as written go inside quotes ('{{{content}}}')");
            }
        }

        if (!NamePlaceholder().IsMatch(content) || format is not (InputFormat.Csv or InputFormat.JsonLines))
        {
            // Lines have no named fields: the braces are the command's own (awk '{print}').
            return null;
        }

        if (fields is null || fields.Names.Contains(content))
        {
            return new Part(PartKind.Named, content);
        }

        if (quoted)
        {
            // Not a field, inside quotes: an awk, sed or jq program's braces.
            return null;
        }

        return fields.InEveryItem
            ? throw new CliUsageException($"--exec: {{{content}}} names no {fields.What} ({string.Join(", ", fields.Names)}); braces the shell should get as written go inside quotes ('{{{content}}}')")
            : new Part(PartKind.Named, content);
    }

    private static string FormatName(InputFormat format) => format switch
    {
        InputFormat.JsonLines => "JSON Lines",
        _ => "plain lines",
    };

    private static string Value(InputItem item, Part part, int slot)
    {
        var text = item.Json is { ValueKind: JsonValueKind.String } s ? s.GetString()! : item.Text;
        switch (part.Kind)
        {
            case PartKind.Item:
                return Modify(text, part.Name);
            case PartKind.Sequence:
                return (item.Index + 1).ToString(CultureInfo.InvariantCulture);
            case PartKind.Slot:
                return slot.ToString(CultureInfo.InvariantCulture);
            case PartKind.Index:
                return item.Index.ToString(CultureInfo.InvariantCulture);
            case PartKind.Field when item.Fields is { } fields:
                return part.Column <= fields.Count
                    ? Modify(fields[part.Column - 1], part.Name)
                    : throw new FormatException($"no field {part.Column} (the record has {fields.Count})");
            case PartKind.Field:
                return Modify(text, part.Name);
        }

        var name = part.Name;
        if (item.Fields is { } columns)
        {
            var at = item.Header?.ToList().IndexOf(name) ?? -1;
            return at >= 0 ? Modify(columns[at], part.Modifier) : throw new FormatException($"no column '{name}' in the CSV header");
        }

        if (item.Json is { ValueKind: JsonValueKind.Object } obj)
        {
            return obj.TryGetProperty(name, out var value)
                ? Modify(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText(), part.Modifier)
                : throw new FormatException($"{{{name}}}: this item has no property '{name}'");
        }

        throw new FormatException($"placeholder {{{name}}} needs a JSON object, and the item is {item.Json?.ValueKind.ToString().ToLowerInvariant() ?? "not one"}");
    }

    private static string Modify(string path, string modifier) => modifier switch
    {
        "." => StripExtension(path),
        "/" => Path.GetFileName(path),
        "//" => DirectoryName(path),
        "/." => StripExtension(Path.GetFileName(path)),
        _ => path,
    };

    /// <summary>
    /// POSIX <c>dirname</c>, which GNU parallel's <c>{//}</c> is (File::Basename): trailing slashes are not a last
    /// component (<c>dir/sub/</c> gives <c>dir</c>), repeated slashes are one, and the root stays <c>/</c>.
    /// </summary>
    internal static string DirectoryName(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var end = path.Length;
        while (end > 1 && path[end - 1] == '/')
        {
            end--;
        }

        var slash = path.LastIndexOf('/', end - 1);
        if (slash < 0)
        {
            return ".";
        }

        while (slash > 0 && path[slash - 1] == '/')
        {
            slash--;
        }

        return slash == 0 ? "/" : path[..slash];
    }

    private static string StripExtension(string path)
    {
        var ext = Path.GetExtension(path);
        return ext.Length > 0 ? path[..^ext.Length] : path;
    }

    /// <summary>
    /// POSIX shell single-quoting: the value reaches the command as one word, verbatim. Bytes that were not valid
    /// UTF-8 (see <see cref="ByteText"/>) cannot travel in a .NET command line, so the shell recreates them
    /// (<c>"$(printf '\351')"</c>) and the command gets the input's exact bytes.
    /// </summary>
    /// <exception cref="FormatException">The value holds a NUL byte, which no command argument can carry.</exception>
    internal static string Quote(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new FormatException("the value holds a NUL byte, which a command line cannot carry (for NUL-separated input, give --null)");
        }

        if (IsPlainWord(value))
        {
            return value;
        }

        if (!ByteText.HasEscapedBytes(value))
        {
            return "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        }

        var sb = new StringBuilder();
        var i = 0;
        while (i < value.Length)
        {
            var start = i;
            if (ByteText.IsEscapeAt(value, i))
            {
                sb.Append("\"$(printf '");
                for (; i < value.Length && ByteText.IsEscapeAt(value, i); i++)
                {
                    sb.Append('\\').Append(Convert.ToString(ByteText.EscapedByte(value[i]), 8));
                }

                sb.Append("')\"");
                continue;
            }

            while (i < value.Length && !ByteText.IsEscapeAt(value, i))
            {
                i++;
            }

            sb.Append('\'').Append(value[start..i].Replace("'", "'\\''", StringComparison.Ordinal)).Append('\'');
        }

        return sb.ToString();
    }


    [GeneratedRegex(@"^([0-9]+)(\.|/|//|/\.)?$", RegexOptions.CultureInvariant)]
    private static partial Regex FieldPlaceholder();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePlaceholder();

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_.-]*?)(\.|/|//|/\.)$", RegexOptions.CultureInvariant)]
    private static partial Regex ModifiedNamePlaceholder();

    private sealed record Part(PartKind Kind, string Name)
    {
        public int Column { get; init; }

        // A named field's path modifier (".", "/", "//", "/."), or none.
        public string Modifier { get; init; } = "";

        // Inside $((...)): filled in only as a plain word (RenderCommand).
        public bool InArithmetic { get; init; }
    }

    // A here-document whose body is still to come: its delimiter (unquoted), and whether leading tabs are stripped (<<-).
    private sealed record HereDocument(string Delimiter, bool StripTabs);

    // The fields the input has: a CSV header's columns (every record has them), or the first JSON item's properties.
    private sealed record Fields(IReadOnlyList<string> Names, bool InEveryItem, string What);
}
