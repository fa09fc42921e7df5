package dev.wan.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Executable;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Scripts use dev.wan.migrate: its public signatures may name only public-API types, never internals. */
class MigrateApiSurfaceTest {
    private static final Set<String> ALLOWED = Set.of("dev.wan.ErrorCode", "dev.wan.WanConfig", "dev.wan.WanException",
            "dev.wan.ensure.ModelEnsurer", "dev.wan.ensure.ModelStatus", "dev.wan.ensure.ModelState",
            "dev.wan.ensure.FileStatus", "dev.wan.ensure.FileState", "dev.wan.ensure.VerificationResult",
            "dev.wan.store.ByteSize", "dev.wan.store.DiskUsage");

    @Test
    void publicSignaturesNameOnlyPublicApiTypes() {
        List<Class<?>> api = List.of(Migrator.class, MigrateOptions.class, Analysis.class, LegacyFile.class,
                LegacyLayout.class, MigrationPlan.class, MigrationResult.class);
        List<String> leaks = new ArrayList<>();
        for (Class<?> top : api) {
            List<Class<?>> classes = new ArrayList<>(List.of(top));
            classes.addAll(List.of(top.getDeclaredClasses()));
            for (Class<?> c : classes) {
                if (!Modifier.isPublic(c.getModifiers())) {
                    continue;
                }
                List<Executable> members = new ArrayList<>(List.of(c.getDeclaredConstructors()));
                members.addAll(List.of(c.getDeclaredMethods()));
                for (Executable m : members) {
                    if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic()) {
                        continue;
                    }
                    List<Type> types = new ArrayList<>(List.of(m.getGenericParameterTypes()));
                    if (m instanceof java.lang.reflect.Method method) {
                        types.add(method.getGenericReturnType());
                    }
                    types.addAll(List.of(m.getGenericExceptionTypes()));
                    for (Type t : types) {
                        check(t, c.getName() + "." + m.getName(), leaks);
                    }
                }
            }
        }
        assertEquals(List.of(), leaks);
    }

    private static void check(Type t, String where, List<String> leaks) {
        if (t instanceof ParameterizedType p) {
            check(p.getRawType(), where, leaks);
            for (Type a : p.getActualTypeArguments()) {
                check(a, where, leaks);
            }
        } else if (t instanceof Class<?> c) {
            Class<?> base = c.isArray() ? c.getComponentType() : c;
            String name = base.getName();
            boolean ok = base.isPrimitive() || name.startsWith("java.") || ALLOWED.contains(name)
                    || name.startsWith("dev.wan.manifest.") || name.startsWith("dev.wan.event.")
                    || name.startsWith("dev.wan.migrate.") && !name.startsWith("dev.wan.migrate.internal.");
            if (!ok) {
                leaks.add(where + " names " + name);
            }
        }
    }
}
