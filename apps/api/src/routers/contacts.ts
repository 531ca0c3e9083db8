// The contact store (seed 003's contact_ids are its ids). Service keys manage their own contacts
// (another key's are NOT_FOUND, as for jobs and batches); the admin token sees and edits them all.
import {
  type Contact,
  ContactError,
  contactIdSchema,
  contactInputSchema,
  contactVisibleTo,
  deleteContact,
  getContact,
  groupNameSchema,
  listContacts,
  MAX_PAGE,
  upsertContact,
} from "@notify/queue/notifications";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { notFound } from "../lib/tenancy.ts";
import { router, serviceProcedure } from "../trpc.ts";

/** A plain object: the client's types must not name the engine's. */
function toContactView(contact: Contact) {
  return {
    id: contact.id,
    email: contact.email,
    phone: contact.phone,
    name: contact.name,
    locale: contact.locale,
    timeZone: contact.timeZone,
    attributes: contact.attributes as Record<string, string | number | boolean | null>,
    groups: [...contact.groups],
    tenant: contact.tenant,
    createdAt: contact.createdAt,
    updatedAt: contact.updatedAt,
  };
}

function asTrpcError(error: unknown): unknown {
  if (!(error instanceof ContactError)) return error;
  switch (error.code) {
    case "invalid":
      return new TRPCError({ code: "BAD_REQUEST", message: error.message });
    case "full":
      return new TRPCError({ code: "PRECONDITION_FAILED", message: error.message });
    case "not_found":
      return notFound(error.message);
  }
}

const idInput = z.object({ id: contactIdSchema });

export const contactsRouter = router({
  /** Creates or changes a contact: fields left out keep their value, null clears one. */
  upsert: serviceProcedure.input(contactInputSchema).mutation(async ({ ctx, input }) => {
    await ctx.ready();
    try {
      const { contact, created } = await upsertContact(ctx.deps.redis, input, { tenant: ctx.tenant });
      return { created, contact: toContactView(contact) };
    } catch (error) {
      throw asTrpcError(error);
    }
  }),

  get: serviceProcedure.input(idInput).query(async ({ ctx, input }) => {
    await ctx.ready();
    const contact = await getContact(ctx.deps.redis, input.id);
    if (!contact || !contactVisibleTo(contact, ctx.tenant)) throw notFound(`no contact ${input.id}`);
    return toContactView(contact);
  }),

  /** A page in id order; `search` matches id, email, phone or name (case-insensitive). */
  list: serviceProcedure
    .input(
      z
        .object({
          cursor: contactIdSchema.nullish(),
          limit: z.number().int().min(1).max(MAX_PAGE).default(20),
          search: z.string().trim().max(200).optional(),
          group: groupNameSchema.optional(),
        })
        .default({ limit: 20 }),
    )
    .query(async ({ ctx, input }) => {
      await ctx.ready();
      const page = await listContacts(ctx.deps.redis, {
        ...input,
        cursor: input.cursor ?? null,
        tenant: ctx.tenant,
      });
      // The store's size is everyone's: only the admin is told it.
      const total = ctx.tenant === null ? page.total : null;
      return { contacts: page.contacts.map(toContactView), nextCursor: page.nextCursor, total };
    }),

  delete: serviceProcedure.input(idInput).mutation(async ({ ctx, input }) => {
    await ctx.ready();
    if (!(await deleteContact(ctx.deps.redis, input.id, { tenant: ctx.tenant })))
      throw notFound(`no contact ${input.id}`);
    return { deleted: true };
  }),
});
