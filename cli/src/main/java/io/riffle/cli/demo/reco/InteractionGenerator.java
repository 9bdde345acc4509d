package io.riffle.cli.demo.reco;

import io.riffle.cli.demo.reco.ShopperPopulation.Shopper;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A shop's synthetic traffic: shoppers' sessions of views and purchases over a {@link Catalogue},
 * deterministic for a seed and a sequence of {@link #next(long)} times. Not thread-safe.
 *
 * <p><b>Sessions.</b> A session belongs to one shopper and has a main category (one of the
 * shopper's favourites, by weight) and, in a third of the sessions, a second one. It is 3 to 20
 * views (about 6 events in all, purchases included): {@value #MAIN_CATEGORY_SHARE} of the views in the main category,
 * most of the rest in the second (or the main), {@value #EXPLORE_SHARE} anywhere in the shop; items
 * are drawn by their popularity within the category, and {@value #REVIEW_SHARE} of the views
 * return to an item viewed earlier in the session. After a view, with probability
 * {@value #PURCHASE_SHARE} the shopper buys one of the items viewed so far, which ends the session
 * half of the time. A shopper whose session ended starts no new one for {@link #restMs()} of
 * event time (a quarter of the mean time between a shopper's sessions, at most
 * {@link #MAX_REST_MS}).
 *
 * <p><b>Pace.</b> Every call emits one interaction. The generator keeps about
 * {@code eventsPerSecond x } {@link #MEAN_VIEW_GAP_MS} sessions open (at most an eighth of the
 * shoppers), so consecutive events of a session are at most {@link #MEAN_VIEW_GAP_MS} apart on
 * average in event time when the caller's times advance at {@code eventsPerSecond} (fewer shoppers
 * or a higher rate compress a session in time); each call either opens a session (when fewer are
 * open) or continues a random open one.
 *
 * <p><b>Taste shift.</b> From {@link #shiftAt(long) a time} on, {@link #DEFAULT_SHIFT_SHARE} of
 * the new sessions, whoever the shopper, have {@link #shiftCategory()} as their main category: a
 * category ranked {@link #SHIFT_CATEGORY_RANK} of 30 by popularity before (the "suddenly
 * everyone wants one" of a season or a fad). Before that time the stream is exactly the one a
 * generator without a shift draws.
 *
 * <p>Why a personal model can win: the next item a shopper views is mostly in the category of
 * the shopper's recent views, and popular within it; a global most-popular list spends its ten
 * slots on the few most popular categories.
 */
public final class InteractionGenerator {

    static final double MAIN_CATEGORY_SHARE = 0.75;
    static final double EXPLORE_SHARE = 0.05;
    static final double REVIEW_SHARE = 0.1;
    static final double PURCHASE_SHARE = 0.08;
    static final int MIN_VIEWS = 3;
    static final int MAX_VIEWS = 20;
    /** Mean of the geometric number of views beyond {@link #MIN_VIEWS}. */
    static final double MEAN_EXTRA_VIEWS = 4;
    /** Mean event-time gap between consecutive events of a session at the configured rate, at most. */
    public static final long MEAN_VIEW_GAP_MS = 15_000;
    /** The least gap between two sessions of one shopper, at most. */
    public static final long MAX_REST_MS = 60_000;
    /** Roughly the mean events of a session, views and purchases (measured: see the test). */
    static final double MEAN_SESSION_EVENTS = 6;
    /** Share of the new sessions the shifted category takes after {@link #shiftAt(long)}. */
    public static final double DEFAULT_SHIFT_SHARE = 0.4;
    /** Popularity rank (0 = most popular) of the category that becomes popular. */
    public static final int SHIFT_CATEGORY_RANK = 20;
    /** Draws of an idle shopper before a new session gives way to an open one. */
    private static final int SHOPPER_TRIES = 8;

    /** An open session. */
    private static final class Session {
        final Shopper shopper;
        final int main;
        /** The second category, or the main one when the session has none. */
        final int second;
        int viewsLeft;
        final int[] viewed = new int[MAX_VIEWS];
        int viewedCount;
        /** Where it sits in {@link #open}. */
        int slot;

        Session(Shopper shopper, int main, int second, int views) {
            this.shopper = shopper;
            this.main = main;
            this.second = second;
            this.viewsLeft = views;
        }
    }

    private final SplittableRandom random;
    private final Catalogue catalogue;
    private final ShopperPopulation shoppers;
    private final String idPrefix;
    private final int openTarget;
    private final long restMs;
    private final int shiftCategory;
    private final List<Session> open = new ArrayList<>();
    private long shiftAtMs = Long.MAX_VALUE;
    private double shiftShare = DEFAULT_SHIFT_SHARE;
    private long counter;
    private long sessionsStarted;
    private long purchases;

    /**
     * @param items catalogue size (at least 30)
     * @param eventsPerSecond the rate at which the caller's event times advance per call; sets
     *     how many sessions are open at once
     */
    public InteractionGenerator(long seed, int shoppers, int items, double eventsPerSecond) {
        if (!(eventsPerSecond > 0) || Double.isInfinite(eventsPerSecond)) {
            throw new IllegalArgumentException("eventsPerSecond must be positive, got " + eventsPerSecond);
        }
        this.random = new SplittableRandom(seed);
        this.catalogue = new Catalogue(random, items);
        this.shoppers = new ShopperPopulation(random, catalogue, shoppers);
        this.idPrefix = "ev-" + Long.toHexString(seed) + "-";
        // At most an eighth of the shoppers in a session at once, and a rest of at most a quarter of the
        // mean time between a shopper's sessions: most draws of a shopper then find one free to start.
        long target = Math.round(eventsPerSecond * MEAN_VIEW_GAP_MS / 1000.0);
        this.openTarget = (int) Math.max(1, Math.min(target, shoppers / 8));
        double cycleMs = shoppers * MEAN_SESSION_EVENTS / eventsPerSecond * 1000;
        this.restMs = (long) Math.min(MAX_REST_MS, cycleMs / 4);
        this.shiftCategory = catalogue.categoryAtRank(SHIFT_CATEGORY_RANK);
    }

    public Catalogue catalogue() {
        return catalogue;
    }

    /** The category that becomes popular at the shift time. */
    public String shiftCategory() {
        return catalogue.categoryName(shiftCategory);
    }

    /** The taste shift happens at this event time (sessions opened from then on); never by default. */
    public void shiftAt(long timeMs) {
        this.shiftAtMs = timeMs;
    }

    public long shiftAtMs() {
        return shiftAtMs;
    }

    /** Share of new sessions that go to {@link #shiftCategory()} after the shift, in [0, 1]. */
    public void setShiftShare(double share) {
        if (!(share >= 0 && share <= 1)) {
            throw new IllegalArgumentException("shift share must be in [0, 1], got " + share);
        }
        this.shiftShare = share;
    }

    /** Sessions open at once when the caller keeps to the configured rate. */
    public int openSessionTarget() {
        return openTarget;
    }

    /** The least event-time gap between two sessions of one shopper at this rate and population. */
    public long restMs() {
        return restMs;
    }

    public long sessionsStarted() {
        return sessionsStarted;
    }

    public long purchases() {
        return purchases;
    }

    /** The next interaction, at {@code eventTimeMs}. Callers pass non-decreasing times. */
    public Interaction next(long eventTimeMs) {
        Session session = null;
        if (open.size() < openTarget) {
            session = openSession(eventTimeMs);
        }
        if (session == null) {
            session = open.get(random.nextInt(open.size()));
        }
        return step(session, eventTimeMs);
    }

    /** A new session of an idle, rested shopper, or null when the draws found none. */
    private Session openSession(long time) {
        for (int tries = 0; tries < SHOPPER_TRIES; tries++) {
            Shopper shopper = shoppers.draw(random);
            if (!shopper.inSession && time >= shopper.restUntilMs) {
                return begin(shopper, time);
            }
        }
        if (!open.isEmpty()) {
            return null;
        }
        // Nothing open and every draw busy or resting (a small population): an idle one starts early.
        int from = random.nextInt(shoppers.size());
        for (int i = 0; i < shoppers.size(); i++) {
            Shopper shopper = shoppers.get((from + i) % shoppers.size());
            if (!shopper.inSession) {
                return begin(shopper, time);
            }
        }
        throw new IllegalStateException("no idle shopper (cannot happen: at most an eighth are in sessions)");
    }

    private Session begin(Shopper shopper, long time) {
        int main;
        int second;
        if (time >= shiftAtMs && random.nextDouble() < shiftShare) {
            main = shiftCategory;
            second = shopper.drawFavourite(random);
        } else {
            main = shopper.drawFavourite(random);
            second = random.nextDouble() < 1 / 3.0 ? shopper.drawFavourite(random) : main;
        }
        int extra = (int) (-Math.log(1 - random.nextDouble()) * MEAN_EXTRA_VIEWS);
        return register(new Session(shopper, main, second, Math.min(MAX_VIEWS, MIN_VIEWS + extra)));
    }

    private Session register(Session session) {
        session.shopper.inSession = true;
        session.slot = open.size();
        open.add(session);
        sessionsStarted++;
        return session;
    }

    private Interaction step(Session s, long time) {
        if (s.viewedCount > 0 && random.nextDouble() < PURCHASE_SHARE) {
            int item = s.viewed[random.nextInt(s.viewedCount)];
            purchases++;
            if (random.nextBoolean()) {
                close(s, time);
            }
            return interaction(s, item, Interaction.PURCHASE, time);
        }
        int item;
        double u = random.nextDouble();
        if (s.viewedCount > 0 && u < REVIEW_SHARE) {
            item = s.viewed[random.nextInt(s.viewedCount)];
        } else {
            double c = random.nextDouble();
            int category = c < MAIN_CATEGORY_SHARE ? s.main
                    : c < 1 - EXPLORE_SHARE ? s.second
                    : catalogue.drawCategory(random);
            item = catalogue.drawItem(category, random);
        }
        if (s.viewedCount < s.viewed.length) {
            s.viewed[s.viewedCount++] = item;
        }
        if (--s.viewsLeft <= 0) {
            close(s, time);
        }
        return interaction(s, item, Interaction.VIEW, time);
    }

    private void close(Session s, long time) {
        // Swap-remove: order of open sessions only matters through the seeded draws.
        Session last = open.remove(open.size() - 1);
        if (last != s) {
            last.slot = s.slot;
            open.set(s.slot, last);
        }
        s.shopper.inSession = false;
        s.shopper.restUntilMs = time + restMs;
    }

    private Interaction interaction(Session s, int item, String action, long time) {
        return new Interaction(idPrefix + counter++, s.shopper.id, time, catalogue.itemId(item),
                catalogue.categoryName(catalogue.categoryOf(item)), action, catalogue.price(item));
    }
}
