package dev.wan.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The line between what scripts may use and what they may not. Scripts, the dashboard and the
 * README's snippets compile against the public API only; {@code dev.wan.internal.*} may change in
 * any release. This test fails when that line is crossed: a source outside lib that names an
 * internal (or CLI) type, or a public API type whose public signatures hand out an internal type.
 */
class PublicApiTest {
    /** The repository's root (tests run in lib/). */
    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final Pattern FORBIDDEN = Pattern.compile("\\bdev\\.wan\\.(internal|cli)\\b[.\\w]*");
    private static final Path CLASSES = Path.of("target", "classes");

    /** Sources that must compile against the public API: the dashboard, scripts/, bench/, the README's Java blocks. */
    @Test
    void theDashboardScriptsAndReadmeNameNoInternalOrCliType() throws IOException {
        List<String> offences = new ArrayList<>();
        List<Path> sources = new ArrayList<>();
        for (String dir : new String[] {"tui/src/main/java", "scripts", "bench"}) {
            Path d = REPO.resolve(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> walk = Files.walk(d)) {
                    walk.filter(p -> p.toString().endsWith(".java") || p.toString().endsWith(".jsh")).forEach(sources::add);
                }
            }
        }
        sources.add(REPO.resolve("tui/wan-tui.java"));
        sources.add(REPO.resolve("README.md"));
        for (Path source : sources) {
            List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
            boolean markdown = source.toString().endsWith(".md");
            boolean code = !markdown;
            for (int i = 0; i < lines.size(); i++) {
                if (markdown && lines.get(i).startsWith("```")) {
                    code = lines.get(i).startsWith("```java") || lines.get(i).startsWith("```jshell");
                    continue;
                }
                Matcher m = FORBIDDEN.matcher(lines.get(i));
                if (code && m.find()) {
                    offences.add(REPO.relativize(source) + ":" + (i + 1) + ": " + m.group());
                }
            }
        }
        assertTrue(sources.size() > 10, "found only " + sources);
        assertEquals(List.of(), offences, "these use wan's internals; use the public API (or make what they"
                + " need public, deliberately)");
    }

    @Test
    void noPublicSignatureOfThePublicApiNamesAnInternalType() throws Exception {
        List<String> leaks = new ArrayList<>();
        int checked = 0;
        for (Class<?> c : publicApiClasses()) {
            checked++;
            List<String> signatures = new ArrayList<>();
            if (c.getGenericSuperclass() != null) {
                signatures.add("extends " + c.getGenericSuperclass().getTypeName());
            }
            for (var i : c.getGenericInterfaces()) {
                signatures.add("implements " + i.getTypeName());
            }
            for (Method m : c.getDeclaredMethods()) {
                if (exposed(m.getModifiers()) && !m.isSynthetic()) {
                    signatures.add(m.toGenericString());
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (exposed(k.getModifiers()) && !k.isSynthetic()) {
                    signatures.add(k.toGenericString());
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (exposed(f.getModifiers()) && !f.isSynthetic()) {
                    signatures.add(f.toGenericString());
                }
            }
            for (String s : signatures) {
                if (s.contains("dev.wan.internal.")) {
                    leaks.add(c.getName() + ": " + s);
                }
            }
        }
        assertTrue(checked > 30, "checked only " + checked + " classes");
        assertEquals(List.of(), leaks, "public API signatures that hand out internal types");
    }

    private static boolean exposed(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    /** Public (and nested public) classes of lib outside {@code dev.wan.internal} and {@code dev.wan.cli}. */
    private static List<Class<?>> publicApiClasses() throws IOException, ClassNotFoundException {
        List<Class<?>> out = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(CLASSES)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).sorted().toList();
        }
        for (Path f : files) {
            String name = CLASSES.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
            if (name.startsWith("dev.wan.internal.") || name.startsWith("dev.wan.cli.")) {
                continue;
            }
            Class<?> c = Class.forName(name, false, PublicApiTest.class.getClassLoader());
            if (Modifier.isPublic(c.getModifiers()) && (c.getEnclosingClass() == null
                    || Modifier.isPublic(c.getEnclosingClass().getModifiers())) && !c.isAnonymousClass()) {
                out.add(c);
            }
        }
        return out;
    }
}
