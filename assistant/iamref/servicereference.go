package iamref

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// The AWS Service Reference documents (servicereference.us-east-1.amazonaws.com):
// a list of services and one document per service.
type (
	srListEntry struct {
		Service string `json:"service"`
		URL     string `json:"url"`
	}
	srService struct {
		Name    string `json:"Name"`
		Version string `json:"Version"`
		Actions []struct {
			Name                string   `json:"Name"`
			ActionConditionKeys []string `json:"ActionConditionKeys"`
			Annotations         struct {
				Properties struct {
					IsList                 bool `json:"IsList"`
					IsPermissionManagement bool `json:"IsPermissionManagement"`
					IsTaggingOnly          bool `json:"IsTaggingOnly"`
					IsWrite                bool `json:"IsWrite"`
				} `json:"Properties"`
			} `json:"Annotations"`
			Resources []struct {
				Name string `json:"Name"`
			} `json:"Resources"`
		} `json:"Actions"`
		ConditionKeys []struct {
			Name  string   `json:"Name"`
			Types []string `json:"Types"`
		} `json:"ConditionKeys"`
		Resources []struct {
			Name          string   `json:"Name"`
			ARNFormats    []string `json:"ARNFormats"`
			ConditionKeys []string `json:"ConditionKeys"`
		} `json:"Resources"`
	}
)

// srMaxDocument bounds one downloaded document.
const srMaxDocument = 64 << 20

// srFetchers is how many service documents are downloaded at once.
const srFetchers = 8

// LoadServiceReference builds a knowledge base from AWS's Service
// Reference: listURL names the service list
// ("https://servicereference.us-east-1.amazonaws.com/v1/service-list.json"),
// each entry of which names a service document (relative URLs are resolved
// against listURL). A nil client means http.DefaultClient. Any failed
// document fails the load, so a refresh never silently drops a service.
//
// Access levels come from each action's annotations, the first that holds
// of IsPermissionManagement, IsTaggingOnly, IsWrite, IsList, else Read.
// The documents carry no service names, no "required" marks and no
// per-action resource condition keys, so those stay empty; global
// condition keys come from the embedded data.
func LoadServiceReference(ctx context.Context, client *http.Client, listURL string) (*KB, error) {
	if client == nil {
		client = http.DefaultClient
	}
	base, err := url.Parse(listURL)
	if err != nil {
		return nil, fmt.Errorf("service reference list URL: %w", err)
	}
	var list []srListEntry
	if err := getJSON(ctx, client, listURL, &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("service reference list %s: no services", listURL)
	}
	seen := map[string]bool{}
	for _, e := range list {
		p := lowerASCII(e.Service)
		if p == "" || strings.ContainsAny(p, ":*?\t\n") || e.URL == "" {
			return nil, fmt.Errorf("service reference list %s: bad entry %+v", listURL, e)
		}
		if seen[p] {
			return nil, fmt.Errorf("service reference list %s: service %q listed twice", listURL, e.Service)
		}
		seen[p] = true
	}

	docs := make([]srService, len(list))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
		next     = make(chan int)
	)
	for w := 0; w < min(srFetchers, len(list)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				u, err := base.Parse(list[i].URL)
				if err == nil {
					err = getJSON(ctx, client, u.String(), &docs[i])
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("service %s: %w", list[i].Service, err)
					}
					mu.Unlock()
					cancel()
				}
			}
		}()
	}
feed:
	for i := range list {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("load service reference: %w", err)
	}
	return buildServiceReference(list, docs)
}

func getJSON(ctx context.Context, client *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("get %s: %w", u, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("get %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get %s: %s", u, resp.Status)
	}
	dec := json.NewDecoder(io.LimitReader(resp.Body, srMaxDocument))
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w (truncated or over %d bytes)", err, srMaxDocument)
		}
		return fmt.Errorf("decode %s: %w", u, err)
	}
	return nil
}

// srLevel maps an action's annotations to its access level.
func srLevel(isList, isPerm, isTag, isWrite bool) Level {
	switch {
	case isPerm:
		return PermissionsManagement
	case isTag:
		return Tagging
	case isWrite:
		return Write
	case isList:
		return List
	}
	return Read
}

func buildServiceReference(list []srListEntry, docs []srService) (*KB, error) {
	type svcDoc struct {
		prefix string
		doc    *srService
	}
	svcs := make([]svcDoc, len(list))
	for i := range list {
		svcs[i] = svcDoc{lowerASCII(list[i].Service), &docs[i]}
	}
	sort.Slice(svcs, func(i, j int) bool { return svcs[i].prefix < svcs[j].prefix })

	// One ConditionKey per lower-case name: the embedded global keys win,
	// then the declaration by the key's own service, then the first.
	type keyEntry struct {
		key  *ConditionKey
		rank int
	}
	keyTable := map[string]*keyEntry{}
	for _, k := range Default().keys {
		if k.Global {
			c := *k
			keyTable[lowerASCII(k.Name)] = &keyEntry{&c, 0}
		}
	}
	declare := func(prefix, name, typ string) *ConditionKey {
		ln := lowerASCII(name)
		rank := 2
		if p, _, ok := strings.Cut(ln, ":"); ok && p == prefix {
			rank = 1
		}
		e, ok := keyTable[ln]
		if !ok {
			e = &keyEntry{&ConditionKey{Name: name, Type: typ}, rank}
			keyTable[ln] = e
		} else if rank < e.rank {
			e.key.Name, e.key.Type, e.rank = name, typ, rank
		} else if e.key.Type == "" {
			e.key.Type = typ
		}
		return e.key
	}
	for _, s := range svcs {
		for _, k := range s.doc.ConditionKeys {
			if k.Name == "" {
				continue
			}
			typ := ""
			if len(k.Types) > 0 {
				typ = k.Types[0]
			}
			declare(s.prefix, k.Name, typ)
		}
	}
	// names resolves key names to the canonical spelling, declaring keys
	// that are used but not declared.
	names := func(prefix string, in []string) []string {
		if len(in) == 0 {
			return nil
		}
		out := make([]string, 0, len(in))
		for _, n := range in {
			if n == "" {
				continue
			}
			k := declare(prefix, n, "")
			if !hasKey(out, k.Name) {
				out = append(out, k.Name)
			}
		}
		sort.Slice(out, func(i, j int) bool { return lowerASCII(out[i]) < lowerASCII(out[j]) })
		return out
	}

	var versions []string
	var actions []*Action
	services := make([]*Service, 0, len(svcs))
	for _, sd := range svcs {
		doc := sd.doc
		s := &Service{Prefix: sd.prefix}
		services = append(services, s)
		if doc.Version != "" && !hasKey(versions, doc.Version) {
			versions = append(versions, doc.Version)
		}
		for _, k := range doc.ConditionKeys {
			if k.Name != "" {
				s.ConditionKeys = append(s.ConditionKeys, keyTable[lowerASCII(k.Name)].key)
			}
		}
		sort.Slice(s.ConditionKeys, func(i, j int) bool {
			return lowerASCII(s.ConditionKeys[i].Name) < lowerASCII(s.ConditionKeys[j].Name)
		})

		types := map[string]*ResourceType{}
		for _, r := range doc.Resources {
			lt := lowerASCII(r.Name)
			if r.Name == "" || types[lt] != nil {
				continue
			}
			t := &ResourceType{Service: s, Name: r.Name, ARNFormats: r.ARNFormats, ConditionKeys: names(sd.prefix, r.ConditionKeys)}
			types[lt] = t
			s.ResourceTypes = append(s.ResourceTypes, t)
		}

		byName := map[string]*Action{}
		var svcActions []*Action
		for _, a := range doc.Actions {
			la := lowerASCII(a.Name)
			if a.Name == "" || strings.ContainsAny(a.Name, ":*?") || byName[la] != nil {
				continue
			}
			p := a.Annotations.Properties
			act := &Action{
				Service:       s,
				Name:          a.Name,
				Level:         srLevel(p.IsList, p.IsPermissionManagement, p.IsTaggingOnly, p.IsWrite),
				ConditionKeys: names(sd.prefix, a.ActionConditionKeys),
			}
			for _, r := range a.Resources {
				lt := lowerASCII(r.Name)
				if r.Name == "" {
					continue
				}
				t := types[lt]
				if t == nil {
					// Named but not described: keep it, with no ARN format.
					t = &ResourceType{Service: s, Name: r.Name}
					types[lt] = t
					s.ResourceTypes = append(s.ResourceTypes, t)
				}
				act.Resources = append(act.Resources, ResourceRef{Type: t})
			}
			byName[la] = act
			svcActions = append(svcActions, act)
		}
		sort.Slice(s.ResourceTypes, func(i, j int) bool {
			return lowerASCII(s.ResourceTypes[i].Name) < lowerASCII(s.ResourceTypes[j].Name)
		})
		sort.Slice(svcActions, func(i, j int) bool {
			return lowerASCII(svcActions[i].Name) < lowerASCII(svcActions[j].Name)
		})
		actions = append(actions, svcActions...)
	}
	for i, a := range actions {
		a.ID = ActionID(i)
	}

	keys := make([]*ConditionKey, 0, len(keyTable))
	for _, e := range keyTable {
		keys = append(keys, e.key)
	}
	sort.Slice(keys, func(i, j int) bool { return lowerASCII(keys[i].Name) < lowerASCII(keys[j].Name) })

	sort.Strings(versions)
	version := "AWS service reference"
	if len(versions) > 0 {
		version += " " + strings.Join(versions, ",")
	}
	kb := &KB{version: version}
	if err := kb.index(services, actions, keys); err != nil {
		return nil, fmt.Errorf("build service reference: %w", err)
	}
	return kb, nil
}
