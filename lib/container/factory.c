/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libsipservlet - SipFactory: URIs, addresses and application sessions.
 * (createRequest lives with the UAC role in lib/ua/uac.c.) */
#include "config-private.h"

#include "container/container-private.h"

SipApplicationSession *
sipservlet_factory_create_application_session (SipFactory *factory)
{
  g_return_val_if_fail (factory != NULL, NULL);
  /* The container keeps its own reference until the session is invalidated. */
  return sipservlet_application_session_ref (
    sipsv_application_session_new (&factory->container->runtime.sessions));
}

SipURI *
sipservlet_factory_create_uri (SipFactory *factory, const char *text, GError **error)
{
  g_return_val_if_fail (factory != NULL && text != NULL, NULL);
  return sipservlet_uri_parse (text, error);
}

SipAddress *
sipservlet_factory_create_address (SipFactory *factory, const char *text, GError **error)
{
  g_return_val_if_fail (factory != NULL && text != NULL, NULL);
  return sipservlet_address_parse (text, error);
}

SipFactory *
sipservlet_factory_ref (SipFactory *factory)
{
  g_return_val_if_fail (factory != NULL, NULL);
  sipservlet_container_ref (factory->container);
  return factory;
}

void
sipservlet_factory_unref (SipFactory *factory)
{
  g_return_if_fail (factory != NULL);
  sipservlet_container_unref (factory->container);
}
