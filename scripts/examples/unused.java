///usr/bin/env jbang "$0" "$@" ; exit $?
//DEPS dev.wan:wan-lib:0.1.0-SNAPSHOT
import dev.wan.ensure.*;
import java.time.*;

class unused { // models in the store not used for N days (default 30): jbang unused.java 90
    public static void main(String[] args) {
        Instant cutoff = Instant.now().minus(Duration.ofDays(args.length > 0 ? Integer.parseInt(args[0]) : 30));
        for (ModelStatus s : ModelEnsurer.fromConfig().statusAll())
            if (s.lastUsed() != null && s.lastUsed().isBefore(cutoff)) System.out.println(s.model() + " " + s.lastUsed());
    }
}
