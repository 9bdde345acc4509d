/**
 * Feature extraction shared by the scorer and the trainer: the demo {@code Transaction}'s
 * fixed feature set and the per-entity running statistics it keeps. The declarative feature
 * spec of any event schema replaces this with a later issue.
 */
package io.riffle.modelops.features;
