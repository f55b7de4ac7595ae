/* Dump a key file as GLib reads it (deepstream-app and nvinfer use g_key_file):
 * one line per key, "group<TAB>key<TAB>value", where value is g_key_file_get_string's result
 * (unescaped) with '\\', '\t' and '\n' escaped back so each key stays on one line.
 * Exit 2 and a message on stderr when GLib refuses the file. */
#include <glib.h>
#include <stdio.h>

static void put_escaped(const char *s) {
    for (; *s; s++) {
        if (*s == '\\') fputs("\\\\", stdout);
        else if (*s == '\t') fputs("\\t", stdout);
        else if (*s == '\n') fputs("\\n", stdout);
        else if (*s == '\r') fputs("\\r", stdout);
        else putchar(*s);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FILE\n", argv[0]); return 2; }
    GKeyFile *kf = g_key_file_new();
    GError *err = NULL;
    if (!g_key_file_load_from_file(kf, argv[1], G_KEY_FILE_NONE, &err)) {
        fprintf(stderr, "%s\n", err->message);
        return 2;
    }
    gsize ngroups = 0;
    gchar **groups = g_key_file_get_groups(kf, &ngroups);
    for (gsize g = 0; g < ngroups; g++) {
        gsize nkeys = 0;
        gchar **keys = g_key_file_get_keys(kf, groups[g], &nkeys, NULL);
        if (nkeys == 0) { printf("%s\t\t\n", groups[g]); }
        for (gsize k = 0; k < nkeys; k++) {
            gchar *value = g_key_file_get_string(kf, groups[g], keys[k], &err);
            if (!value) { fprintf(stderr, "[%s] %s: %s\n", groups[g], keys[k], err->message); return 2; }
            printf("%s\t%s\t", groups[g], keys[k]);
            put_escaped(value);
            putchar('\n');
            g_free(value);
        }
        g_strfreev(keys);
    }
    g_strfreev(groups);
    g_key_file_free(kf);
    return 0;
}
