package io.initsweep.report;

import java.util.List;

/** Left-aligned text columns separated by two spaces, with a rule under the header. */
public final class TextTable {
    private TextTable() {
    }

    public static String render(List<String> header, List<List<String>> rows) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = header.get(i).length();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], cell(row, i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, header, widths);
        for (int i = 0; i < widths.length; i++) {
            out.append("-".repeat(widths[i])).append(i + 1 < widths.length ? "  " : "\n");
        }
        rows.forEach(row -> line(out, row, widths));
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> row, int[] widths) {
        for (int i = 0; i < widths.length; i++) {
            String value = cell(row, i);
            out.append(value);
            if (i + 1 < widths.length) {
                out.append(" ".repeat(widths[i] - value.length() + 2));
            }
        }
        out.append('\n');
    }

    private static String cell(List<String> row, int i) {
        return i < row.size() && row.get(i) != null ? row.get(i) : "null";
    }
}
