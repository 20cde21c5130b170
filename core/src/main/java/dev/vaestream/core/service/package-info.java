/**
 * The one shape of a service: {@link dev.vaestream.core.service.Service} (start, await, stop,
 * close, a health enum), its {@link dev.vaestream.core.service.Resources} closed in reverse order,
 * and {@link dev.vaestream.core.service.ServiceRunner}, which every command uses to run one.
 */
package dev.vaestream.core.service;
