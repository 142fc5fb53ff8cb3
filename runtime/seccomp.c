/* linux.seccomp with libseccomp: the filter is built by the parent before
 * clone (its errors surface from rt_create directly, and the init only
 * has to load its copy). */
#include <errno.h>
#include <seccomp.h>
#include <stdbool.h>
#include <string.h>

#include "runtime/internal.h"

void *rt_seccomp_build(const struct rt_seccomp *f, struct burrow_err **err)
{
	scmp_filter_ctx ctx = seccomp_init(f->default_action);
	if (!ctx) {
		burrow_error(err, 0, "cannot set up the seccomp filter: invalid default action %#x", f->default_action);
		return NULL;
	}
	/* no_new_privs is process.noNewPrivileges' business, set by the init */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0) {
		burrow_error(err, -r, "cannot set up the seccomp filter");
		goto fail;
	}
	for (size_t i = 0; i < f->n_arches; i++) {
		r = seccomp_arch_add(ctx, f->arches[i]);
		if (r < 0 && r != -EEXIST) {
			burrow_error(err, -r, "cannot add architecture %#x to the seccomp filter", f->arches[i]);
			goto fail;
		}
	}
	for (size_t i = 0; i < f->n_rules; i++) {
		const struct rt_seccomp_rule *rule = &f->rules[i];
		if (rule->action == f->default_action)
			continue; /* libseccomp refuses rules that change nothing */
		struct scmp_arg_cmp cmp[6];
		bool same_index = false;
		for (size_t k = 0; k < rule->n_args && k < 6; k++) {
			cmp[k] = (struct scmp_arg_cmp){.arg = rule->args[k].index,
			                               .op = (enum scmp_compare)rule->args[k].op,
			                               .datum_a = rule->args[k].value,
			                               .datum_b = rule->args[k].value_two};
			for (size_t j = 0; j < k; j++)
				if (rule->args[j].index == rule->args[k].index)
					same_index = true;
		}
		for (char **name = rule->names; *name; name++) {
			int nr = seccomp_syscall_resolve_name(*name);
			if (nr == __NR_SCMP_ERROR)
				continue; /* unknown to this libseccomp/arch: as podman, skip it */
			if (rule->n_args == 0) {
				r = seccomp_rule_add(ctx, rule->action, nr, 0);
			} else if (!same_index) {
				r = seccomp_rule_add_array(ctx, rule->action, nr, (unsigned)rule->n_args, cmp);
			} else {
				/* several conditions on one argument are alternatives:
				 * one rule each (libseccomp wants one per argument) */
				r = 0;
				for (size_t k = 0; k < rule->n_args && r >= 0; k++)
					r = seccomp_rule_add_array(ctx, rule->action, nr, 1, &cmp[k]);
			}
			if (r < 0) {
				burrow_error(err, -r, "cannot add the seccomp rule for '%s'", *name);
				goto fail;
			}
		}
	}
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

int rt_seccomp_load(void *ctx, struct burrow_err **err)
{
	int r = seccomp_load(ctx);
	if (r < 0)
		return burrow_error(err, -r, "cannot load the seccomp filter");
	return 0;
}

void rt_seccomp_release(void *ctx)
{
	if (ctx)
		seccomp_release(ctx);
}
