using System.Text;

namespace Brigade.Cli.Run;

/// <summary>
/// Decides whether a rendered command needs <c>/bin/sh</c>: a simple command (a program and its arguments, words
/// separated by blanks, single-quoted or plainly double-quoted) runs as that program directly, without a shell in
/// between; anything the shell would interpret (pipes, redirections, <c>;</c> <c>&amp;</c>, variables, globs, command
/// substitution, backslashes, comments, assignments, reserved words, builtins) goes to <c>/bin/sh -c</c> as before.
/// </summary>
/// <remarks>
/// The rule is conservative: a command runs directly only when the shell would have run the same program with the
/// same arguments. Builtins go to the shell (<c>cd</c>, <c>printf</c>, <c>test</c>...), except <c>true</c>,
/// <c>false</c>, and <c>echo</c> when no argument starts with <c>-</c> or holds a backslash (where every shell's
/// <c>echo</c> and <c>/bin/echo</c> print the same).
/// </remarks>
internal static class ExecCommandLine
{
    // Characters the shell interprets outside quotes: any of these sends the command to the shell.
    private static readonly System.Buffers.SearchValues<char> Special = System.Buffers.SearchValues.Create("|&;<>()$`\\\"'*?[]#~=%{}!\n\r\t ");

    // Reserved words and builtins (POSIX, dash and bash): as a first word, the shell's, not a program's.
    private static readonly HashSet<string> ShellWords = new(StringComparer.Ordinal)
    {
        "!", "{", "}", "[[", "]]", "case", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if", "in", "select", "then", "time", "until", "while",
        ".", ":", "[", "alias", "bg", "bind", "break", "builtin", "caller", "cd", "chdir", "command", "compgen", "complete", "continue", "declare", "dirs",
        "disown", "enable", "eval", "exec", "exit", "export", "fc", "fg", "getopts", "hash", "help", "history", "jobs", "kill", "let", "local", "logout",
        "mapfile", "newgrp", "popd", "printf", "pushd", "pwd", "read", "readarray", "readonly", "return", "set", "shift", "shopt", "source", "suspend",
        "test", "times", "trap", "type", "typeset", "ulimit", "umask", "unalias", "unset", "wait",
    };

    /// <summary>Splits a command into a program and its arguments, or returns null when it needs the shell.</summary>
    public static string[]? TrySplit(string command)
    {
        if (ByteText.HasEscapedBytes(command))
        {
            return null; // bytes that are not UTF-8 travel through the shell's printf (CommandTemplate.Quote)
        }

        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        var i = 0;
        while (i < command.Length)
        {
            var c = command[i];
            if (c is ' ' or '\t')
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                i++;
                continue;
            }

            if (c == '\'')
            {
                var close = command.IndexOf('\'', i + 1);
                if (close < 0)
                {
                    return null;
                }

                word.Append(command, i + 1, close - i - 1);
                inWord = true;
                i = close + 1;
                continue;
            }

            if (c == '"')
            {
                // Plain text in double quotes only: $, ` and \ are the shell's even there.
                var close = command.IndexOf('"', i + 1);
                if (close < 0 || command.AsSpan(i + 1, close - i - 1).IndexOfAny('$', '`', '\\') >= 0)
                {
                    return null;
                }

                word.Append(command, i + 1, close - i - 1);
                inWord = true;
                i = close + 1;
                continue;
            }

            // A run of ordinary characters; '%' and '=' are ordinary past the first word ('dd if=x', 'date +%s').
            var end = i;
            while (end < command.Length && !IsSpecial(command[end], words.Count > 0))
            {
                end++;
            }

            if (end == i)
            {
                return null;
            }

            word.Append(command, i, end - i);
            inWord = true;
            i = end;
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        if (words.Count == 0 || words[0].Length == 0 || words.Any(w => w.Contains('\0', StringComparison.Ordinal)))
        {
            return null;
        }

        var program = words[0];
        if (ShellWords.Contains(program))
        {
            return null;
        }

        if (program == "echo" && words.Skip(1).Any(w => w.StartsWith('-') || w.Contains('\\', StringComparison.Ordinal)))
        {
            return null;
        }

        return [.. words];
    }

    private static bool IsSpecial(char c, bool pastFirstWord) =>
        Special.Contains(c) && !(pastFirstWord && c is '%' or '=');
}
